-- The offline DEMO source is kept for the demo workspace, tests and benchmarks only. Existing
-- monitors keep scanning whatever their sources; adding DEMO needs this flag from now on. The demo
-- workspace `npm start` seeded (its owner is demo@vigil.example) keeps offering it.
ALTER TABLE "organizations" ADD COLUMN "allows_demo_source" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE "organizations" SET "allows_demo_source" = true
WHERE "id" IN (
  SELECT m."organization_id" FROM "memberships" m JOIN "users" u ON u."id" = m."user_id"
  WHERE u."email" = 'demo@vigil.example'
);
