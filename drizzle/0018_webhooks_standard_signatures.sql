-- Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature v1,<base64>).
-- Webhooks that exist now were given a secret whose whole string is the HMAC key, and receivers
-- that check the old Vigil-* headers: they keep both until an owner rotates the secret.
ALTER TABLE "webhooks" ADD COLUMN "has_legacy_secret" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE "webhooks" SET "has_legacy_secret" = true;
