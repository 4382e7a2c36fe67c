import { Histogram, Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BucketHistogram } from '../../metrics/bucket-histogram.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const VALUES = [0.0005, 0.001, 0.002, 0.05, 0.05, 0.5, 3, 0.0001];

async function render(kind: 'ours' | 'prom', contentType?: string): Promise<string> {
  const registry = new Registry();
  if (contentType) registry.setContentType(contentType as never);
  registry.setDefaultLabels({ node: 'n1' });
  if (kind === 'ours') {
    const h = new BucketHistogram('fanout_seconds', 'help text', BOUNDS, [registry]);
    h.observeAll(VALUES.slice(0, 3));
    h.observeAll(VALUES.slice(3));
  } else {
    const h = new Histogram({ name: 'fanout_seconds', help: 'help text', buckets: BOUNDS, registers: [registry] });
    for (const v of VALUES) h.observe(v);
  }
  return registry.metrics();
}

test('renders exactly what prom-client\'s own Histogram renders for the same values', async () => {
  assert.is(await render('ours'), await render('prom'));
  assert.is(await render('ours', Registry.OPENMETRICS_CONTENT_TYPE), await render('prom', Registry.OPENMETRICS_CONTENT_TYPE));
});

test('cumulative buckets, sum and count are exact; non-finite values are ignored; reset clears', async () => {
  const registry = new Registry();
  const h = new BucketHistogram('x_seconds', 'x', BOUNDS, [registry]);
  h.observeAll([...VALUES, Number.NaN, Number.POSITIVE_INFINITY]);
  const v = h.get().values.map((s) => `${s.metricName}${s.labels.le === undefined ? '' : `{le=${s.labels.le}}`} ${s.value}`);
  assert.equal(v, [
    'x_seconds_bucket{le=0.001} 3', 'x_seconds_bucket{le=0.01} 4', 'x_seconds_bucket{le=0.1} 6', 'x_seconds_bucket{le=1} 7',
    'x_seconds_bucket{le=+Inf} 8', `x_seconds_sum ${VALUES.reduce((a, b) => a + b, 0)}`, 'x_seconds_count 8',
  ]);
  h.reset();
  assert.is(h.get().values.at(-1)?.value, 0);
});

test.run();
