"""Input guard: size limit, redaction of card numbers and secrets, prompt-injection and risk flags.

Returns a verdict object; the pipeline decides what to do with it. Redaction happens before anything is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.nlu.lexicon import LANGUAGES, matches

MAX_CHARS = 4000

# Digits of a card number may be grouped by spaces (any kind, no-break ones too), dashes or dots. A run glued to a
# Latin letter is part of a token (a hex signature in a link, a tracking id), not a card; CJK text may touch it.
_CARD = re.compile(r"(?<![0-9A-Za-z])(?:\d[\s.\-]{0,3}){12,18}\d(?![0-9A-Za-z])")
# Words that name a secret, in the 17 languages; what follows them ("is", ":", "es", "是", "は"...) is the secret.
_SECRET_WORDS = (
    r"password|passwd|pwd|passcode|passwort|kennwort|senha|contraseña|contrasena|clave de acceso|mot de passe|"
    r"mdp|wachtwoord|hasło|haslo|şifre|sifre|parola|пароль|kata sandi|mật khẩu|mat khau|katasandi"
)
_SECRET_WORDS_UNSPACED = r"密码|密碼|パスワード|暗証番号|비밀번호|암호|รหัสผ่าน|كلمة المرور|كلمة السر"
# After the word: "is"/":"/"es"… then any value, or just a space then a value that has a digit or symbol in it
# ("password hunter2"), so "password reset link" keeps its words.
_SECRET_VALUE = (r"(?:\s*(?:(?:lautet|adalah|olarak|jest|was|est|ist|era|is|es|é|è|to|je|là)(?!\w)|[:：=—-])"
                 r"\s*(?!\[)\S+"
                 r"|\s+(?=\S*(?:\d|_|[^\w\s]))(?!\[)\S+)")
_SECRETS = [
    re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}\b"),  # API keys (OpenAI, Stripe style)
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),  # Slack tokens
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"),  # JWTs
    re.compile(rf"(?i)\b(?:my |mi |mon |mein |minha |meu |il mio |mijn |moje |benim )?(?:{_SECRET_WORDS})\b"
               rf"{_SECRET_VALUE}"),
    re.compile(rf"(?:{_SECRET_WORDS_UNSPACED})\s*(?:是|は|:|：|는|은|คือ|هي|هو|=)?\s*(?!\[)[^\s，。,]+"),
    re.compile(r"(?i)\b(?:cvv2?|cvc2?|pin|otp|one[- ]time (?:code|password))\s*(?:code|is|:|=|-)?\s*\d{3,8}\b"),
]
_INJECTION = [
    re.compile(r"(?i)\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|rules|prompt|guidelines)\b"),
    re.compile(r"(?i)\b(system prompt|developer mode|jailbreak|DAN mode|act as (an? )?(admin|developer|system)|"
               r"you are now (an? |in |my |the )?(admin|administrator|developer|dan|unrestricted|jailbroken|"
               r"system|root|god mode|evil))"),
    re.compile(r"(?i)(</?(system|assistant|instructions?)>|\[/?INST\]|###\s*(system|instruction))"),
    re.compile(r"(?i)\b(reveal|print|show)\b.{0,30}\b(system prompt|instructions|all (orders|customers))"),
    re.compile(r"(忽略|无视|無視|忘记|忘れ).{0,8}(指令|指示|规则|規則|命令|设定|設定)"),  # zh/ja, words between
]


class InputTooLong(ValueError):
    pass


@dataclass(frozen=True)
class GuardVerdict:
    text: str  # redacted: the only form that is stored, logged or processed
    redactions: tuple[str, ...] = ()
    injection: bool = False
    anger: bool = False
    legal: bool = False
    flags: tuple[str, ...] = field(default_factory=tuple)


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def redact(text: str) -> tuple[str, list[str]]:
    kinds: list[str] = []

    def card(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits):
            kinds.append("card_number")
            return "[card number removed]"
        return m.group(0)

    out = _CARD.sub(card, text)
    for pattern in _SECRETS:
        if pattern.search(out):
            kinds.append("secret")
            out = pattern.sub("[secret removed]", out)
    return out, kinds


def screen(text: str) -> tuple[str, tuple[str, ...]]:
    """Size limit and redaction: what may be stored. Raises InputTooLong."""
    if len(text) > MAX_CHARS:
        raise InputTooLong(f"message is {len(text)} characters; the limit is {MAX_CHARS}")
    clean, kinds = redact(text)
    return clean, tuple(kinds)


def assess(clean: str, redactions: tuple[str, ...] = (), language: str | None = None) -> GuardVerdict:
    """Risk flags on an already screened message."""
    langs = tuple(dict.fromkeys([language or "en", "en"]))
    # Injection phrases are checked in every language: an attacker need not write in the session's.
    injection = any(p.search(clean) for p in _INJECTION) or bool(matches(clean, "injection", LANGUAGES))
    anger = bool(matches(clean, "anger", langs))
    legal = bool(matches(clean, "legal", langs))
    flags = tuple(f for f, on in (("injection", injection), ("anger", anger), ("legal", legal)) if on)
    return GuardVerdict(clean, redactions, injection, anger, legal, flags)


def check(text: str, language: str | None = None) -> GuardVerdict:
    clean, redactions = screen(text)
    return assess(clean, redactions, language)
