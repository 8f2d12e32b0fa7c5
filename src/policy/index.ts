export * from './requirement';
export * from './statements';
