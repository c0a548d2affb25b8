import { z } from 'zod';

/** The part of an SQS Lambda event the handlers read. */
export const sqsEventSchema = z.object({
  Records: z.array(
    z.object({
      messageId: z.string().min(1),
      body: z.string(),
      receiptHandle: z.string().optional(),
      /** The queue the record came from (`arn:aws:sqs:<region>:<account>:<name>`). */
      eventSourceARN: z.string().optional(),
    }),
  ),
});
export type SqsEvent = z.infer<typeof sqsEventSchema>;
export type SqsRecord = SqsEvent['Records'][number];

/** The partial batch response (ReportBatchItemFailures). */
export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}
