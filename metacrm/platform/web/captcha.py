"""An optional CAPTCHA on public forms: hCaptcha or Cloudflare Turnstile, off unless configured.

Both verify a browser's answer the same way: the server POSTs ``secret``,
``response`` and ``remoteip`` (form-encoded) to the provider's verify URL and
reads ``{"success": true|false}``. A provider is therefore data (its widget
script, the CSS class of the widget, the name of the answer's form field, its
verify URL), chosen by ``METACRM_CAPTCHA_PROVIDER`` with its keys in
``METACRM_CAPTCHA_SITE_KEY`` / ``METACRM_CAPTCHA_SECRET``;
``METACRM_CAPTCHA_VERIFY_URL`` overrides the verify URL (a proxy, or a local
fake in tests). Verification fails closed: an unreachable provider refuses the
submission rather than letting every bot through.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class CaptchaProvider:
    name: str
    site_key: str
    secret: str
    verify_url: str
    script_url: str
    widget_class: str
    response_field: str

    def verify(self, answer: str, remote_ip: str = "") -> bool:
        """Ask the provider whether ``answer`` (the widget's token) is a solved challenge."""
        if not answer:
            return False
        body = urllib.parse.urlencode({"secret": self.secret, "response": answer, "remoteip": remote_ip,
                                       "sitekey": self.site_key}).encode()
        request = urllib.request.Request(self.verify_url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
                outcome = json.loads(response.read(65536) or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.warning("CAPTCHA verification with %s failed: %s", self.name, exc)
            return False
        return bool(isinstance(outcome, dict) and outcome.get("success") is True)


#: What each supported provider needs besides its keys.
PROVIDERS: dict[str, dict[str, str]] = {
    "hcaptcha": {"verify_url": "https://api.hcaptcha.com/siteverify", "script_url": "https://js.hcaptcha.com/1/api.js",
                 "widget_class": "h-captcha", "response_field": "h-captcha-response"},
    "turnstile": {"verify_url": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
                  "script_url": "https://challenges.cloudflare.com/turnstile/v0/api.js",
                  "widget_class": "cf-turnstile", "response_field": "cf-turnstile-response"},
}


def provider_from(config: Mapping[str, Any]) -> CaptchaProvider | None:
    """The configured provider (``CAPTCHA_PROVIDER`` and its keys in the app config), or None (off)."""
    name = (config.get("CAPTCHA_PROVIDER") or "").strip().lower()
    if not name:
        return None
    if name not in PROVIDERS:
        raise ValueError(f'unknown CAPTCHA provider "{name}"; use one of: {", ".join(PROVIDERS)}')
    spec = PROVIDERS[name]
    return CaptchaProvider(name=name, site_key=config.get("CAPTCHA_SITE_KEY") or "",
                           secret=config.get("CAPTCHA_SECRET") or "",
                           verify_url=config.get("CAPTCHA_VERIFY_URL") or spec["verify_url"],
                           script_url=spec["script_url"], widget_class=spec["widget_class"],
                           response_field=spec["response_field"])
