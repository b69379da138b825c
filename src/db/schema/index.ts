export * from './accounts.ts';
export * from './monitoring.ts';
export * from './billing.ts';
export * from './stats.ts';
export * from './digests.ts';
export * from './operations.ts';
export * from './brand-profile.ts';
