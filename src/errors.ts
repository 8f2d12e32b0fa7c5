import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Raise a synth-time `ValidationError` with a stable code, attached to the construct.
 *
 * `ValidationError`'s first parameter is a branded literal type whose tag function is not exported;
 * this is the one place that casts to it.
 */
export function validationError(scope: IConstruct | undefined, code: string, message: string): ValidationError {
  // `undefined` only for static factories, which have no construct to attach the error to.
  return new ValidationError(code as any, message, scope as IConstruct);
}
