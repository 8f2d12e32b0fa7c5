import { ValidationError } from 'aws-cdk-lib';

/**
 * Run `act` and return the ValidationError it throws. Anything else (a TypeError, a plain Error, nothing) fails the
 * test with what happened instead.
 */
export function refusalOf(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw new Error(`expected a ValidationError, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}
