"""Sign in with ProConnect (the interministerial OpenID Connect federation of public agents).

Built on django-allauth's OpenID Connect provider (``openid_connect``), which this package replaces through
``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``: allauth 65 cannot do what ProConnect asks of a
service — a ``nonce`` checked in the id_token, a ``state`` of at least 32 characters, the id_token signature always
verified with the algorithm registered for the service, and a userinfo answered as a *signed JWT*.

- ``config.py``: the provider's configuration, read from the settings (environment variables ``PROCONNECT_*``);
- ``provider.py``: the allauth provider (scopes, ``claims`` request for ``amr``, ``nonce``);
- ``client.py``: the back-channel (discovery, token verification, JWT userinfo);
- ``views.py``: sign-in, callback, end of the ProConnect session on logout, the French error page;
- ``signin.py``: what a verified ProConnect sign-in does in the portal (account, names, second factor).
"""

PROVIDER_ID = "proconnect"  # the allauth "provider_id" (sub-id of openid_connect): in URLs and SocialAccount rows
