-- gong-relay schema, version 1: the outbox (one row per event), one pacing lane per tenant, and the claim.
-- Applied by `gong-relay migrate` (or at start in embedded mode), in one transaction, under an advisory lock.
-- Every time comparison uses the database clock (clock_timestamp()), so workers on several machines agree.

create table gong_relay.tenant (
  id            text primary key,
  base_url      text not null,
  auth_kind     text not null check (auth_kind in ('basic', 'bearer')),
  -- AES-256-GCM (key from GONG_RELAY_SECRET_KEY): version byte, 12-byte IV, 16-byte tag, ciphertext.
  credentials   bytea not null,
  per_second    double precision not null check (per_second > 0),
  per_day       integer not null check (per_day > 0),
  -- The share of Gong's limits left for the customer's other integrations (0 to below 1).
  reserve       double precision not null default 0 check (reserve >= 0 and reserve < 1),
  -- Derived from the three above when the tenant is written: at most `burst` calls in any `window_ms`,
  -- at least `interval_ms` apart, at most `day_cap` per UTC day.
  burst         integer not null check (burst > 0),
  interval_ms   double precision not null,
  window_ms     double precision not null,
  day_cap       integer not null,
  paused        boolean not null default false,
  paused_reason text,
  -- Pacing state. For each of the last `burst` calls (recent_events), the time its window counts from: the
  -- time its answer was recorded (surely after it reached Gong), or, while it is unanswered, the end of its
  -- lease. next_at: the next time a call may start; hold_until: a 429's Retry-After.
  next_at       timestamptz not null default '-infinity',
  last_claim_at timestamptz not null default '-infinity',
  recent        timestamptz[] not null default '{}',
  recent_events bigint[] not null default '{}',
  hold_until    timestamptz not null default '-infinity',
  day           date not null default '1970-01-01',
  day_count     integer not null default 0,
  created_at    timestamptz not null default clock_timestamp(),
  updated_at    timestamptz not null default clock_timestamp()
);

create table gong_relay.event (
  id              bigint generated always as identity primary key,
  tenant          text not null references gong_relay.tenant (id) on update cascade,
  operation       text not null,
  -- The spec's duplicate rule: the scope (x-gong-event.duplicateKeyScope) and the key's values, as JSON.
  dedupe_scope    text not null,
  dedupe_key      text not null,
  event_id        text,
  -- The event exactly as it will be sent (JSON text).
  payload         text not null,
  status          text not null default 'pending'
                  check (status in ('pending', 'leased', 'accepted', 'already_reported', 'refused', 'dead')),
  -- Requests started for this event (each claim), and transient failures in a row (the dead-letter count).
  attempts        integer not null default 0,
  failures        integer not null default 0,
  run_at          timestamptz not null default clock_timestamp(),
  lease_until     timestamptz,
  leased_by       text,
  -- Some earlier attempt's outcome is unknown (timeout, reset, 5xx, a lease that expired): it may be in Gong.
  may_have_landed boolean not null default false,
  result_id       text,
  request_id      text,
  last_status     integer,
  -- A short, groupable reason ("503", "timeout", "network-error", "400") and the detail (Gong's errors).
  reason          text,
  errors          jsonb,
  enqueued_at     timestamptz not null default clock_timestamp(),
  finished_at     timestamptz,
  unique (tenant, dedupe_scope, dedupe_key)
);

-- The claim walks due tenants in next_at order and stops at the first with a ready event.
create index tenant_due on gong_relay.tenant (next_at) where not paused;
create index event_ready on gong_relay.event (tenant, run_at, id) where status = 'pending';
create index event_leased on gong_relay.event (lease_until) where status = 'leased';
create index event_finished on gong_relay.event (finished_at) where finished_at is not null;
create index event_dead on gong_relay.event (tenant) where status = 'dead';

-- When the tenant's next call may start: interval_ms after the last one, and window_ms after the window start of
-- the call `burst` calls back (the oldest of recent).
create function gong_relay.pace(p_last_claim timestamptz, p_interval_ms double precision, p_window_ms double precision,
                                p_burst integer, p_recent timestamptz[])
returns timestamptz language sql immutable as $$
  select greatest(p_last_claim + p_interval_ms * interval '1 millisecond',
                  case when cardinality(p_recent) >= p_burst then p_recent[1] + p_window_ms * interval '1 millisecond' end)
$$;

-- A call was answered: its window counts from the earlier of now (surely after it reached Gong) and
-- p_reached_by (the worker's bound: when it sent the request, on this clock, plus an allowance for the way to
-- Gong), no longer from the end of its lease. With p_hold_s (a 429's Retry-After) the tenant makes no call for
-- that long; with p_pause (Gong refused its credentials) it is paused.
create function gong_relay.answered(p_tenant text, p_event bigint, p_reached_by timestamptz default null,
                                    p_hold_s double precision default null, p_pause text default null)
returns boolean language plpgsql as $$
declare
  v_lane record;
  v_i    integer;
begin
  select t.recent, t.recent_events, t.last_claim_at, t.interval_ms, t.window_ms, t.burst into v_lane
    from gong_relay.tenant t where t.id = p_tenant for update;
  v_i := array_position(v_lane.recent_events, p_event);
  if v_i is not null then
    v_lane.recent[v_i] := least(clock_timestamp(), p_reached_by);
  end if;
  update gong_relay.tenant t
     set recent = v_lane.recent,
         next_at = gong_relay.pace(v_lane.last_claim_at, v_lane.interval_ms, v_lane.window_ms, v_lane.burst, v_lane.recent),
         hold_until = case when p_hold_s is null then t.hold_until
                           else greatest(t.hold_until, clock_timestamp() + p_hold_s * interval '1 second') end,
         paused = t.paused or p_pause is not null,
         paused_reason = coalesce(p_pause, t.paused_reason)
   where t.id = p_tenant;
  return true;
end;
$$;

-- Claim one event: the due tenant whose turn is oldest (fair across tenants), locked so that no other worker
-- paces it at the same time, its oldest ready event, leased to p_worker. The tenant's pacing moves on at
-- once: no call starts sooner than interval_ms after the previous one, nor within window_ms of the call
-- `burst` calls back, nor past the day's cap. Leases that expired first go back to the queue (their send may
-- have reached Gong). A call's window counts from the end of its lease until its answer is recorded
-- (gong_relay.answered). With nothing to claim, one row with only wait_ms: how long until something may be due.
create function gong_relay.claim(p_worker text, p_lease_ms integer)
returns table (event_pk bigint, tenant text, operation text, payload text, attempts integer,
               may_have_landed boolean, tenant_version timestamptz, base_url text, credentials bytea,
               claimed_at timestamptz, wait_ms double precision)
language plpgsql as $$
#variable_conflict use_column
declare
  v_now   timestamptz := clock_timestamp();
  v_today date := (v_now at time zone 'UTC')::date;
  v_lane  record;
  v_event bigint;
  v_recent timestamptz[];
  v_events bigint[];
  v_n     integer;
begin
  update gong_relay.event e
     set status = 'pending', lease_until = null, leased_by = null, may_have_landed = true, run_at = v_now
   where e.id in (select x.id from gong_relay.event x
                   where x.status = 'leased' and x.lease_until < v_now
                   for update skip locked);

  for v_lane in
    select t.id, t.burst, t.recent, t.recent_events, t.interval_ms, t.window_ms, t.updated_at, t.base_url, t.credentials
      from gong_relay.tenant t
     where not t.paused and t.next_at <= v_now and t.hold_until <= v_now
       and (t.day <> v_today or t.day_count < t.day_cap)
       and exists (select 1 from gong_relay.event e
                    where e.tenant = t.id and e.status = 'pending' and e.run_at <= v_now)
     order by t.next_at
     limit 32
     for update skip locked
  loop
    select e.id into v_event from gong_relay.event e
     where e.tenant = v_lane.id and e.status = 'pending' and e.run_at <= v_now
     order by e.run_at, e.id
     limit 1
     for update skip locked;
    continue when v_event is null;

    v_recent := v_lane.recent || (v_now + p_lease_ms * interval '1 millisecond');
    v_events := v_lane.recent_events || v_event;
    v_n := cardinality(v_recent);
    if v_n > v_lane.burst then
      v_recent := v_recent[v_n - v_lane.burst + 1 : v_n];
      v_events := v_events[v_n - v_lane.burst + 1 : v_n];
    end if;
    update gong_relay.tenant t
       set recent = v_recent,
           recent_events = v_events,
           last_claim_at = v_now,
           next_at = gong_relay.pace(v_now, v_lane.interval_ms, v_lane.window_ms, v_lane.burst, v_recent),
           day_count = case when t.day = v_today then t.day_count + 1 else 1 end,
           day = v_today
     where t.id = v_lane.id;

    return query
      update gong_relay.event e
         set status = 'leased', attempts = e.attempts + 1, leased_by = p_worker,
             lease_until = v_now + p_lease_ms * interval '1 millisecond'
       where e.id = v_event
      returning e.id, e.tenant, e.operation, e.payload, e.attempts, e.may_have_landed, v_lane.updated_at,
                v_lane.base_url, v_lane.credentials, v_now, null::double precision;
    return;
  end loop;

  return query
    with due as (
      select least(
        (select min(greatest(t.next_at, t.hold_until,
                             case when t.day = v_today and t.day_count >= t.day_cap
                                  then (v_today + 1)::timestamp at time zone 'UTC' end,
                             (select min(e.run_at) from gong_relay.event e
                               where e.tenant = t.id and e.status = 'pending')))
           from gong_relay.tenant t
          where not t.paused
            and exists (select 1 from gong_relay.event e where e.tenant = t.id and e.status = 'pending')),
        (select min(e.lease_until) from gong_relay.event e where e.status = 'leased')) as at
    )
    select null::bigint, null::text, null::text, null::text, null::integer, null::boolean, null::timestamptz,
           null::text, null::bytea, null::timestamptz,
           case when due.at is null then null
                else greatest(0, extract(epoch from (due.at - v_now)) * 1000)::double precision end
      from due;
end;
$$;
