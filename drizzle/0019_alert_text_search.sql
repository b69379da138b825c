-- Alert search (`alerts(filter: { text })`) keeps its meaning — a case-insensitive substring of the
-- title, summary or URL, matched with ILIKE — and gets an index: pg_trgm's GIN operator class
-- answers ILIKE '%term%' for terms of 3 or more characters. pg_trgm ships with PostgreSQL (system
-- and embedded builds) and is a trusted extension, so the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX "alerts_text_trgm_idx" ON "alerts" USING gin ("title" gin_trgm_ops,"summary" gin_trgm_ops,"url" gin_trgm_ops);
--> statement-breakpoint
-- How selective a term is decides between walking the newest alerts in order until a page is full
-- (a common term) and the trigram index (a rare one). A finer sample of these columns lets the
-- planner tell a term held by a few thousand alerts from one held by a hundred.
ALTER TABLE "alerts" ALTER COLUMN "title" SET STATISTICS 1000, ALTER COLUMN "summary" SET STATISTICS 1000, ALTER COLUMN "url" SET STATISTICS 1000;
