import type { Template } from 'aws-cdk-lib/assertions';
import { resourcesOf } from './support.js';

/** One metric a dashboard widget or an alarm queries. */
export interface MetricReference {
  /** The dashboard widget's title or the alarm's logical id. */
  readonly where: string;
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Stands in for a CloudFormation token (a queue name, a rule name) inside the dashboard body. */
const TOKEN = '<token>';

/** The dashboard body as JSON: string parts kept, tokens (Ref, GetAtt) replaced by a placeholder. */
function dashboardBody(body: unknown): unknown {
  if (typeof body === 'string') return JSON.parse(body);
  const join = (body as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected dashboard body: ${JSON.stringify(body).slice(0, 200)}`);
  const [separator, parts] = join;
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : TOKEN)).join(separator));
}

interface Widget {
  readonly properties?: { readonly title?: string; readonly metrics?: unknown[][] };
}

/**
 * Every metric the dashboards of `template` graph. A widget metric is
 * `[namespace, name, dimName, dimValue, ..., {options}]`; a math expression
 * (`[{ expression }]`) is reported with the name `expression:<text>`, so a
 * test sees it rather than skipping it.
 */
export function dashboardMetricReferences(template: Template): MetricReference[] {
  const references: MetricReference[] = [];
  for (const dashboard of Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))) {
    const body = dashboardBody(dashboard.Properties?.DashboardBody) as { widgets: Widget[] };
    for (const widget of body.widgets) {
      for (const entry of widget.properties?.metrics ?? []) {
        const where = widget.properties?.title ?? '(untitled widget)';
        const strings = entry.filter((part): part is string => typeof part === 'string');
        const options = entry.find((part) => typeof part === 'object') as
          | { expression?: string }
          | undefined;
        if (strings.length === 0 && options?.expression) {
          references.push({
            where,
            namespace: '',
            name: `expression:${options.expression}`,
            dimensions: {},
          });
          continue;
        }
        const [namespace = '', name = '', ...pairs] = strings;
        const dimensions: Record<string, string> = {};
        for (let i = 0; i + 1 < pairs.length; i += 2) {
          dimensions[pairs[i] as string] = pairs[i + 1] as string;
        }
        references.push({ where, namespace, name, dimensions });
      }
    }
  }
  return references;
}

interface AlarmMetric {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly { Name: string; Value: unknown }[];
}

function dimensionsOf(metric: AlarmMetric): Record<string, string> {
  return Object.fromEntries(
    (metric.Dimensions ?? []).map(({ Name, Value }) => [
      Name,
      typeof Value === 'string' ? Value : TOKEN,
    ]),
  );
}

/** Every metric the alarms of `template` watch: single-metric alarms and metric-math alarms' inputs. */
export function alarmMetricReferences(template: Template): MetricReference[] {
  const references: MetricReference[] = [];
  for (const [id, alarm] of Object.entries(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) {
    const props = (alarm.Properties ?? {}) as AlarmMetric & {
      Metrics?: { MetricStat?: { Metric: AlarmMetric }; Expression?: string }[];
    };
    const metrics: AlarmMetric[] = props.MetricName ? [props] : [];
    for (const query of props.Metrics ?? []) {
      if (query.MetricStat) metrics.push(query.MetricStat.Metric);
      else if (query.Expression) metrics.push({ MetricName: `expression:${query.Expression}` });
    }
    for (const metric of metrics) {
      references.push({
        where: `alarm ${id}`,
        namespace: metric.Namespace ?? '',
        name: metric.MetricName ?? '',
        dimensions: dimensionsOf(metric),
      });
    }
  }
  return references;
}
