"""The login page's way in for people whose organisation signs them in: shown only with single sign-on."""

from __future__ import annotations

from types import SimpleNamespace

from server.templating import make_environment


def _render(oidc: object, next_path: str = "") -> str:
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(oidc=oidc)))
    return make_environment().get_template("_sso_button.html").render(request=request, next=next_path)


def test_the_button_leads_to_the_organisations_sign_in_and_keeps_the_page_asked_for():
    html = _render(object(), "/resultat/vn?lang=en&x=1")

    assert "Logga in med din organisations konto" in html
    assert 'href="/logga-in/sso?next=/resultat/vn%3Flang%3Den%26x%3D1"' in html


def test_without_single_sign_on_there_is_no_button():
    assert _render(None, "/arbeta").strip() == ""
