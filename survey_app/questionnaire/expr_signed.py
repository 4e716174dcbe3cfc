"""``extract-signed(contents, public key)``: ODK's check of signed content (a QR code's text
signed by its issuer).  Both arguments are base64: ``contents`` is a 64-byte Ed25519 signature
followed by the message (libsodium's combined form), ``public key`` the issuer's 32-byte key.
The result is the message as UTF-8 text when the signature is the key's, else ''.

Ed25519 verification as RFC 8032 (section 5.1.7) describes it, in pure Python: a point or key
that does not decode (y not below p, no square root, x = 0 with the sign bit set) and an S not
below L are refused.  ``static/js/expr.js`` has the twin (without BigInt, TweetNaCl's limbs);
the vectors pin their agreement, RFC 8032's test vectors among them.
"""
import base64
import binascii
import hashlib

from .expr_functions import to_string

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
NEUTRAL = (0, 1, 1, 0)


def _add(p, q):
    """Sum of two points in extended coordinates (X, Y, Z, T), RFC 8032 section 5.1.4."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _multiply(scalar, point):
    found = NEUTRAL
    while scalar:
        if scalar & 1:
            found = _add(found, point)
        point, scalar = _add(point, point), scalar >> 1
    return found


def _same(p, q):
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def _decode(encoded: bytes):
    """A point from its 32 bytes, or None (RFC 8032 section 5.1.3)."""
    y = int.from_bytes(encoded, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P or (x == 0 and sign):
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


BASE = _decode((4 * pow(5, P - 2, P) % P).to_bytes(32, "little"))


def _scalar(data: bytes) -> int:
    return int.from_bytes(hashlib.sha512(data).digest(), "little") % L


def verify(public: bytes, signed: bytes) -> bytes | None:
    """The message of ``signed`` (signature, then message) when ``public`` signed it, else None."""
    if len(public) != 32 or len(signed) < 64:
        return None
    key, point_r = _decode(public), _decode(signed[:32])
    s = int.from_bytes(signed[32:64], "little")
    if key is None or point_r is None or s >= L:
        return None
    message = signed[64:]
    h = _scalar(signed[:32] + public + message)
    return message if _same(_multiply(s, BASE), _add(point_r, _multiply(h, key))) else None


def _bytes(text: str) -> bytes | None:
    """Standard base64, padded or not, as bytes; None when it is not base64."""
    from .expr_library import _BASE64_RE
    if not _BASE64_RE.fullmatch(text):
        return None
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        return None


def extract_signed(ctx, contents, public_key):
    signed, public = _bytes(to_string(contents)), _bytes(to_string(public_key))
    message = verify(public, signed) if signed is not None and public is not None else None
    try:
        return '' if message is None else message.decode('utf-8')
    except UnicodeDecodeError:
        return ''
