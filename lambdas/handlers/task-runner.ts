// Placeholder so that the CDK app can synth; the real handler replaces this file.
export const handler = async () => {
  throw new Error('not yet implemented');
};
