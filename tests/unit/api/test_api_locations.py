"""Where a request may say a spec lives: http(s) URLs past the SSRF guard, bundled examples, the specs folder."""

from __future__ import annotations

import pytest

from vitesse.api.locations import check_location, check_remote
from vitesse.api.problems import ApiError
from vitesse.examples import CRM_SPEC, SHOP_SPEC


async def resolver(host: str, port: int) -> list[str]:
    table = {"api.example.com": ["93.184.215.14"], "db.internal.example": ["192.168.1.9"]}
    if host not in table:
        raise OSError("no such host")
    return table[host]


async def test_examples_resolve_to_the_bundled_files(settings):
    assert await check_location("body.source_api_url", "example:shop", settings, resolver) == str(SHOP_SPEC)
    assert await check_location("body.source_api_url", "EXAMPLE:crm", settings, resolver) == str(CRM_SPEC)


async def test_public_and_unresolvable_urls_pass_unchanged(settings):
    url = "https://api.example.com/openapi.json?version=2"
    assert await check_location("body.x", url, settings, resolver) == url
    # Does not resolve: the run reports it as an unreachable spec instead of the request failing.
    assert (
        await check_remote("body.x", "https://nowhere.example/spec", settings, resolver)
        == "https://nowhere.example/spec"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://db.internal.example/spec", "private network addresses are refused"),
        ("http://169.254.169.254/", "never contacted"),
        ("gopher://api.example.com/", "http or https"),
        ("/etc/shadow", "other server paths are not read"),
        ("example:nope", "unknown example"),
    ],
)
async def test_refused_locations_name_the_field(settings, value, message):
    with pytest.raises(ApiError) as caught:
        await check_location("body.dest_api_url", value, settings, resolver)
    assert caught.value.status == 422
    assert caught.value.fields[0].field == "body.dest_api_url" and message in caught.value.fields[0].message


async def test_files_in_the_specs_folder_are_read_and_missing_ones_are_named(settings):
    folder = settings.data_dir / "specs"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text("openapi: 3.1.0\n")
    assert await check_location("body.s", str(folder / "mine.yaml"), settings, resolver) == str(folder / "mine.yaml")
    with pytest.raises(ApiError, match="no such file 'other.yaml'"):
        await check_location("body.s", str(folder / "other.yaml"), settings, resolver)
    with pytest.raises(ApiError, match="other server paths"):
        await check_location("body.s", str(folder / ".." / "vitesse.db"), settings, resolver)
