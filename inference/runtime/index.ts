export { Classifier, loadClassifier, type LoadOptions, type Prediction, type PredictOptions } from './classifier.js';
export { Featurizer, type ClassifierInput, type FeatureBatch } from './features.js';
export { AutoSplitter, WINDOW_AGGREGATES, type SplitOptions, type WindowAggregate } from './splitter.js';
