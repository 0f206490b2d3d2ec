"""Single sign-on with OpenID Connect: staff sign in through their organisation's identity provider.

`settings.py` reads and checks the EFFEKT_OIDC_* variables, `client.py` talks to the provider (discovery,
the code exchange, the ID token's checks); the pages are `server/web/sso.py` and the accounts the provider
vouches for are `surveys/accounts/federated.py`. How to connect Entra ID or another provider is in
docs/drift.md.
"""
