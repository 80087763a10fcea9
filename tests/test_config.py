"""The deployment settings in `.streamlit/config.toml` stay safe (issue 10)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _config() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as fh:
        return tomllib.load(fh)


def test_xsrf_and_cors_protection_stay_on():
    server = _config()["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True


def test_no_traceback_or_path_reaches_a_user():
    # Streamlit 1.67: "none" shows a generic message only; type, message and traceback go to
    # the server log (streamlit/config.py, client.showErrorDetails)
    assert _config()["client"]["showErrorDetails"] == "none"


def test_no_usage_statistics_are_sent():
    assert _config()["browser"]["gatherUsageStats"] is False


def test_upload_limit_is_the_one_the_readme_states():
    limit = _config()["server"]["maxUploadSize"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{limit} MB" in readme


def test_streamlit_accepts_every_option_we_set():
    from streamlit import config

    known = config.get_config_options()
    for section, options in _config().items():
        for name, value in options.items():
            key = f"{section}.{name}"
            assert key in known, key
            if key == "client.showErrorDetails":
                assert value in {o.value for o in config.ShowErrorDetailsConfigOptions}


def test_every_data_cache_expires_and_is_bounded():
    """Every st.cache_data in ui/ and app_pages/ has a ttl, max_entries and max_size, so data
    derived from an upload leaves server memory (issue 10: 1.9 GB stayed after one upload)."""
    import ast

    found = 0
    for path in [*(ROOT / "ui").glob("*.py"), *(ROOT / "app_pages").glob("*.py"), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                call = dec if isinstance(dec, ast.Call) else None
                name = ast.unparse(call.func if call else dec)
                kws = {k.arg for k in call.keywords} if call else set()
                if name.endswith("cache_data"):
                    found += 1
                    assert {"ttl", "max_entries", "max_size"} <= kws, f"{path.name}:{node.name}"
                elif name.endswith("cache_resource"):  # connections, the phantom: bounded
                    assert "max_entries" in kws, f"{path.name}:{node.name}"
    assert found >= 10
    assert _config()["server"]["maxCacheDataSize"]


def test_no_full_garbage_collection_after_every_run():
    # Streamlit's default (runner.postScriptGC = true) collects all ~210,000 objects of the
    # loaded libraries after every script run, holding the interpreter lock for 0.1-0.3 s: it
    # was half the server's CPU with ten users (py-spy on bench/load_harness.py)
    assert _config()["runner"]["postScriptGC"] is False


def test_magic_is_off():
    # issue 16: Streamlit's magic rendered two developer notes (bare strings) above the Data
    # page's title; with it off, nothing appears that a page does not write with st.*
    assert _config()["runner"]["magicEnabled"] is False
