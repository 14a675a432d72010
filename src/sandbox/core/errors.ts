/**
 * An error the sandbox returns to the client in AWS's own shape. `code` is the error's wire name
 * (`ServiceNotFoundException`, `TargetGroupNotFound`, ...), which the SDK maps to its exception class.
 */
export class AwsError extends Error {
  readonly code: string;
  readonly httpStatus: number;

  constructor(code: string, message: string, httpStatus = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.httpStatus = httpStatus;
  }

  /** awsQuery's `<Type>`: who is to blame, as AWS reports it. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.httpStatus >= 500 ? 'Receiver' : 'Sender';
  }
}

/**
 * The services whose throttling error is `Throttling`, the awsQuery family's code (ELBv2, and CloudWatch, whose JSON
 * protocol keeps its query error codes); the awsJson services answer `ThrottlingException`.
 */
const QUERY_FAMILY_SERVICES = new Set(['elbv2', 'cloudwatch']);

export const throttlingError = (service: string): AwsError =>
  new AwsError(QUERY_FAMILY_SERVICES.has(service) ? 'Throttling' : 'ThrottlingException', 'Rate exceeded', 400);

export const isThrottling = (error: AwsError): boolean => error.code === 'Throttling' || error.code === 'ThrottlingException';

export const internalFailure = (message = 'An internal error occurred.'): AwsError => new AwsError('InternalFailure', message, 500);

export const serviceUnavailable = (): AwsError => new AwsError('ServiceUnavailable', 'Service is unavailable. Please retry.', 503);
