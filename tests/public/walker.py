"""A respondent who answers every page the way a test needs, through the real forms (no JavaScript)."""
import re

RETRY_VALUES = ("0912345678", "5", "1", "abc")
def tok(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
def walk(c, code, free_text="Tốt", landing=None, send=True, likert="4"):
    """Answer the questionnaire behind ``code`` (or at the ``landing`` address, e.g. an open
    link) to the end, ``likert`` on every 5-point question; return the receipt numbers shown
    (with ``send=False``: stop at the check page and return its address, for a test that sends
    it itself)."""
    landing = landing or f"/q/{code}"
    r = c.get(landing); html = r.get_data(as_text=True)
    assert r.status_code == 200, r.status_code
    r = c.post(f"{landing}/start", data={"csrf_token": tok(html)})
    url = r.headers["Location"]
    adds = 0
    for step in range(200):
        if "check" in url: break
        r = c.get(url); html = r.get_data(as_text=True)
        if r.status_code == 302: url = r.headers["Location"]; continue
        assert r.status_code == 200, (url, r.status_code)
        data = {"csrf_token": tok(html)}
        if url.endswith("/more"):
            data["add"] = "yes" if adds < 2 else "no"; adds += 1
        names = set(re.findall(r'<div class="field[^"]*" data-key="([^"]+)" id="q-[^"]+"(?! hidden)', html))
        for n in names:
            if f'name="{n}" value="4"' in html: data[n] = likert if f'name="{n}" value="{likert}"' in html else "4"
            elif re.search(rf'type="(radio|checkbox)" id="{re.escape(n)}-1"', html):
                data[n] = re.search(rf'id="{re.escape(n)}-1" name="{re.escape(n)}" value="([^"]*)"', html).group(1)
            elif re.search(rf'type="checkbox" id="{re.escape(n)}"', html): data[n] = "OK"
            elif re.search(rf'type="file" id="{re.escape(n)}"', html): pass
            elif re.search(rf'<(input|textarea)[^>]*id="{re.escape(n)}"', html):
                m = re.search(rf'<input type="(\w+)" id="{re.escape(n)}"', html)
                kind = m.group(1) if m else "text"
                inputmode = re.search(rf'id="{re.escape(n)}" name="{re.escape(n)}" value="[^"]*" inputmode="(\w+)"', html)
                data[n] = {"date": "2024-05-01", "time": "10:30", "datetime-local": "2024-05-01T10:30", "number": "1"}.get(kind) or ("2" if inputmode else ("21.02 105.85" if "data-geopoint" in html.split(f'id="{n}"')[1][:200] else free_text))
        r = c.post(url, data=data)
        for retry in RETRY_VALUES:
            if r.status_code != 422:
                break
            for n in names:
                if data.get(n) not in (None, "4") and not re.search(rf'type="(radio|checkbox)" id="{re.escape(n)}', html):
                    data[n] = retry
            data["csrf_token"] = tok(r.get_data(as_text=True))
            r = c.post(url, data=data)
        if r.status_code != 302:
            errs = re.findall(r'class="error-message"[^>]*>([^<]+)', r.get_data(as_text=True))
            raise AssertionError(f"POST {url} {r.status_code} {errs[:3]} {data}")
        url = r.headers["Location"]
    if not send:
        return url
    r = c.get(url); html = r.get_data(as_text=True)
    r = c.post(url, data={"csrf_token": tok(html)})
    assert r.status_code == 302, (r.status_code, re.findall(r'<li>(?:<a[^>]*>)?([^<]+)', r.get_data(as_text=True))[:5])
    r = c.get(r.headers["Location"])
    return re.findall(r'class="receipt">([^<]+)', r.get_data(as_text=True))
