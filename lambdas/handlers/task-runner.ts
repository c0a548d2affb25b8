// The default entry of TaskRunnerFunction. Lambda task runners execute user
// tasks through the task SDK's runner, which is not part of bucketflow yet
// (issue "[4 of 5] Task SDK, task runners and the client"). Until it lands,
// a cluster with a Lambda runner fails its messages loudly, and they end in
// the cluster's DLQ, from which they can be redriven once runners exist.
export const handler = async (): Promise<never> => {
  throw new Error(
    'bucketflow: Lambda task runners are not available yet; the task SDK runner that executes ' +
      'tasks is still to come. Leave bucketflow:lambdaRunnerClusters empty until then.',
  );
};
