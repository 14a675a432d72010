import { AwsError } from '../core/errors.js';

/** ECS's error shapes: the SDK maps each code to its exception class of the same name. */
export const clientException = (message: string) => new AwsError('ClientException', message);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
export const conflict = (message: string) => new AwsError('ConflictException', message);
export const clusterNotFound = () => new AwsError('ClusterNotFoundException', 'Cluster not found.');
export const serviceNotFound = () => new AwsError('ServiceNotFoundException', 'Service not found.');
export const serviceNotActive = () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.');
export const taskSetNotFound = () => new AwsError('TaskSetNotFoundException', 'The specified task set was not found.');
export const resourceNotFound = (message = 'The specified resource could not be found.') => new AwsError('ResourceNotFoundException', message);
export const clusterContainsServices = () =>
  new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
export const clusterContainsTasks = () => new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
