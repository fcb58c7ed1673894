"""A site's certificates, broker config and sample configs (`floorledger site ...`).

- `layout`: which file goes where, on which machine, with which mode (pure)
- `state`: the site's record of issued and revoked certificates, `site.json` (pure)
- `mosquitto`: the broker's config and topic ACL, from protocol.topics (pure)
- `samples`: the sample hub.toml and kiosk.toml (pure)
- `certs`: the site CA, certificates, CSRs and the CRL (cryptography's x509; no files)
- `files`: reading and writing the site folder (the only module here that touches the disk)
"""
