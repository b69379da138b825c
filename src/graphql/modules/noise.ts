/** Registered by import from ../schema.ts. */
export {};
