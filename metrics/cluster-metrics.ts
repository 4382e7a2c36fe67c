import { Gauge, type Registry } from 'prom-client';

/**
 * Cluster mode: every series carries this node's name (`node` label), so one Prometheus can sum
 * several nodes, and `chat_redis_up` says whether the node reaches the cluster bus at scrape time.
 */
export function registerClusterMetrics(registry: Registry, nodeId: string, isUp: () => boolean): void {
  registry.setDefaultLabels({ node: nodeId });
  new Gauge({
    name: 'chat_redis_up',
    help: '1 while this node is connected to the cluster bus (Redis), else 0; it keeps serving its own clients either way',
    registers: [registry],
    collect() {
      this.set(isUp() ? 1 : 0);
    },
  });
}
