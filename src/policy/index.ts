export * from './requirement';
export * from './statements';
export * from './key-policy';
export * from './cloudtrail';
