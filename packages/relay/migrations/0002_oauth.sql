-- gong-relay schema, version 2: tenants on OAuth. A tenant holds either keys (tenant.credentials, as in version 1)
-- or an OAuth grant (one row of oauth_grant; tenant.credentials is then null and auth_kind 'oauth').
-- Refreshes are serialized per tenant across every worker by a row lock on the grant (SELECT ... FOR UPDATE,
-- src/oauth.ts): the worker holding it re-reads the grant, refreshes only if the stored token still needs it, and
-- stores the new (single-use) refresh token in the same transaction that replaces, and so spends, the old one.

alter table gong_relay.tenant drop constraint tenant_auth_kind_check;
alter table gong_relay.tenant add constraint tenant_auth_kind_check check (auth_kind in ('basic', 'bearer', 'oauth'));
alter table gong_relay.tenant alter column credentials drop not null;
alter table gong_relay.tenant add constraint tenant_credentials_check check ((auth_kind = 'oauth') = (credentials is null));

create table gong_relay.oauth_grant (
  tenant          text primary key references gong_relay.tenant (id) on update cascade on delete cascade,
  -- AES-256-GCM like tenant.credentials (the tenant id and 'oauth' as additional data): the access token, the
  -- refresh token and, when the tenant has an OAuth app of its own, its client id and secret.
  secrets         bytea not null,
  own_app         boolean not null,
  -- When the access token expires (null: Gong did not say; then only a 401 renews it), the customer's base URL
  -- (api_base_url_for_customer) and the scopes granted.
  expires_at      timestamptz,
  base_url        text not null,
  scope           text not null default '',
  -- 1 for the tokens given to `tenant add`, +1 with each refresh: the old refresh token is spent when it moves on.
  generation      integer not null default 1,
  refreshed_at    timestamptz,
  refreshed_by    text,
  -- Gong refused the refresh token (invalid_grant): the customer must authorize the app again.
  refused_at      timestamptz,
  updated_at      timestamptz not null default clock_timestamp()
);
