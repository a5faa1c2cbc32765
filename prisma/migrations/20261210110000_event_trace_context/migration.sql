-- The W3C traceparent of the event's capture span (docs/TRACING.md), written by the ingress with
-- the event when tracing is on: every later span of the event (relay, attempts, forward
-- deliveries), days later or after a restart, joins that trace. Null when tracing was off.
ALTER TABLE "webhook_events" ADD COLUMN "trace_context" TEXT;
