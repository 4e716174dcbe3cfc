"""Static files under content-hashed addresses, cached for a year without revalidation."""
import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "survey_app" / "static"


def _linked(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_content_hash(client):
    html = client.get("/code").get_data(as_text=True)
    links = _linked(html)
    assert links, "the page links its stylesheet"
    digest = hashlib.sha256((STATIC / "css" / "site.css").read_bytes()).hexdigest()[:12]
    assert f"/static/css/site.{digest}.css" in links


def test_a_fingerprinted_file_is_immutable_for_a_year(client):
    link = _linked(client.get("/code").get_data(as_text=True))[0]
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == (STATIC / "css" / "site.css").read_bytes()


def test_a_stale_or_plain_address_still_answers_but_is_revalidated(client):
    for address in ("/static/css/site.css", "/static/css/site.000000000000.css"):
        response = client.get(address)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/nothing.000000000000.css").status_code == 404
    assert client.get("/static/../setup.py").status_code == 404
