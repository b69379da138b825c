-- Rate-limit buckets take one update per API operation, and every operation of a caller updates
-- the same row: with a logged table each commit waits for its WAL flush while holding that row,
-- so a caller's operations queued behind each other's fsync (the soak benchmark). Unlogged
-- tables write no WAL, so those commits do not wait. What is lost: after a crash PostgreSQL
-- empties the table, and every budget starts its window afresh — acceptable for a rate limit.
ALTER TABLE "rate_limit_buckets" SET UNLOGGED;
