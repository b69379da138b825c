import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';

const ISSUER = 'vigil';
const AUDIENCE = 'vigil-api';

export interface AccessClaims {
  userId: string;
  organizationId: string;
  /** The session (refresh-token family) the token was issued for; ending the session ends the token. */
  sessionId?: string;
}

export interface VerifiedAccess extends AccessClaims {
  expiresAt: Date;
}

export interface TokenSigner {
  sign(claims: AccessClaims): Promise<{ token: string; expiresAt: Date }>;
  /** Returns the claims, or null when the token is malformed, forged or expired. */
  verify(token: string): Promise<VerifiedAccess | null>;
}

/** Short-lived HS256 access tokens. Roles are not in the token: they are read per request. */
export function createTokenSigner(secret: string, ttlSeconds: number): TokenSigner {
  const key = new TextEncoder().encode(secret);
  return {
    async sign(claims) {
      // JWT times are whole seconds; report exactly the expiry the token carries.
      const expiresAt = new Date(Math.floor(Date.now() / 1000 + ttlSeconds) * 1000);
      const token = await new SignJWT({ org: claims.organizationId, ...(claims.sessionId ? { sid: claims.sessionId } : {}) })
        .setJti(randomToken(12))
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.org !== 'string' || typeof payload.exp !== 'number') return null;
        const sessionId = typeof payload.sid === 'string' ? payload.sid : undefined;
        return { userId: payload.sub, organizationId: payload.org, sessionId, expiresAt: new Date(payload.exp * 1000) };
      } catch (error) {
        if (error instanceof joseErrors.JOSEError) return null;
        throw error;
      }
    },
  };
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** How every API key starts; an access token (a JWT) never does. */
export const API_KEY_MARK = 'vgl_';
const API_KEY_PATTERN = /^vgl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** `vgl_<prefix>_<secret>`: the prefix finds the row, the SHA-256 of the whole key proves it. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const key = `vgl_${prefix}_${randomToken(32)}`;
  return { key, prefix, hash: sha256(key) };
}

export function parseApiKey(value: string): { prefix: string } | null {
  const match = API_KEY_PATTERN.exec(value);
  return match ? { prefix: match[1]! } : null;
}
