// The drift gauges of the last run of each model version. Labels carry model_version besides
// model_name (a reference belongs to a version). A run without a verdict removes the version's
// verdict series rather than leave a stale one; a feature's score series follows its current test.
import type { Gauge, MetricStore } from '../../telemetry/metric-store.js';
import type { DriftRunOutcome } from './run.js';

export class DriftGauges {
  readonly datasetDrift: Gauge;
  readonly driftedRatio: Gauge;
  readonly featureScore: Gauge;
  readonly featureDrift: Gauge;
  readonly missingShare: Gauge;

  constructor(metrics: MetricStore) {
    const model = ['model_name', 'model_version'];
    this.datasetDrift = metrics.gauge({ name: 'model_data_drift_detected', help: '1 when the share of drifted features reached drift_share at the last drift run', labels: model });
    this.driftedRatio = metrics.gauge({ name: 'model_drifted_columns_ratio', help: 'Share of tested features that drifted at the last drift run', labels: model });
    this.featureScore = metrics.gauge({ name: 'model_feature_drift_score', help: 'Drift score of a feature at the last run (p-value for ks/chisquare/ztest, distance for psi/wasserstein/jensenshannon)', labels: [...model, 'feature', 'stattest'] });
    this.featureDrift = metrics.gauge({ name: 'model_feature_drift_detected', help: '1 when the feature drifted at the last drift run', labels: [...model, 'feature'] });
    this.missingShare = metrics.gauge({ name: 'model_feature_missing_share', help: 'Share of predictions in the current window without a value for the feature (1: absent from the stream)', labels: [...model, 'feature'] });
  }

  publish(o: DriftRunOutcome): void {
    const m = [o.model, o.version];
    this.clear(o.model, o.version);
    if (o.status !== 'ok') return;
    this.datasetDrift.set(m, o.dataset_drift ? 1 : 0);
    this.driftedRatio.set(m, o.share_drifted_columns);
    for (const [feature, c] of Object.entries(o.columns)) {
      this.featureScore.set([...m, feature, c.stattest], c.p_value_adjusted ?? c.score);
      this.featureDrift.set([...m, feature], c.drift_detected ? 1 : 0);
    }
    for (const [feature, share] of Object.entries(o.missing_share)) this.missingShare.set([...m, feature], share);
  }

  /** Removes every series of one model version. */
  private clear(model: string, version: string): void {
    for (const g of [this.datasetDrift, this.driftedRatio, this.featureScore, this.featureDrift, this.missingShare]) {
      for (const s of [...g.series.values()]) if (s.labels[0] === model && s.labels[1] === version) g.remove(s.labels);
    }
  }
}
