"""How the mail jobs build messages: the sender and the site's links, from the settings."""

from __future__ import annotations

from api.mail.compose import Composer
from api.mail.links import SiteLinks
from api.settings import Settings


def composer_from_settings(settings: Settings) -> Composer:
    return Composer(settings.broadsheet_mail_from, SiteLinks(settings.broadsheet_site_url))
