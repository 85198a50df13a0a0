/**
 * Neural-fit metrics for notebook 01 (Brain-Score's definitions: Schrimpf et al. 2018/2020; Yamins et al. 2014):
 * labelled neural assemblies, PLS and ridge regression, stratified cross-validation, held-out Pearson r with a
 * split-half ceiling, RSA and linear categorisation, and a loader for the public MajajHong2015 data.
 * Notebooks import this file (`./lib/neuro`); the parts live in lib/neuro/.
 */
export {
  neuralAssembly, meanOverRepetitions, selectSites, selectStimuli, stimulusLabels, response, REGIONS, withStimulusIds,
  checkStimulusOrder,
} from "./neuro/assembly";
export type { NeuralAssembly, NeuralAssemblyInit, StimulusInfo, SiteInfo, Region, StimulusFeatures } from "./neuro/assembly";
export { plsRegression, ridgeRegression, DEFAULT_RIDGE_GRID } from "./neuro/regression";
export type {
  Regression, RegressionFactory, PlsOptions, PlsFit, PlsRegression, RidgeOptions, RidgeRegression,
} from "./neuro/regression";
export { stratifiedShuffleSplits, shuffleSplits, SPLIT_DEFAULTS, crossValidate, repetitionHalves, halfMeans } from "./neuro/crossval";
export type { Split, SplitOptions, SplitScore, CrossValidated, HalfSplitOptions } from "./neuro/crossval";
export {
  crossRegressedCorrelation, crossRegressedCorrelationOnMatrices, splitHalfCeiling, spearmanBrown, ceiledScores,
  neuralPredictivity, rdm, rdmCorrelation, rdmSplitHalfCeiling, rsa, upperTriangle, categorizationAccuracy, groupMeans,
  neighbourAgreement,
} from "./neuro/metrics";
export type {
  CrossRegressedCorrelationOptions, CrossRegressedCorrelationScore, HeldOutPrediction, CeilingOptions,
  CeilingResult, CeiledScores, NeuralPredictivity, Rdm, RdmOptions, RsaOptions, RsaScore, CategorizationOptions,
  CategorizationScore, NeighbourAgreement,
} from "./neuro/metrics";
export { pearson, pearsonPerColumn, pearsonWithBootstrapCI, spearman, ranks, median, sem } from "./neuro/stats";
export {
  reliabilityFigure, layerProfileFigure, predictedVsMeasuredFigure, modelScatterFigure, rdmPanelsFigure,
} from "./neuro/figures";
export { matrix, fromRows, takeRows } from "./util/linalg";
export type { Matrix, Matrix64, MatmulPath } from "./util/linalg";
export { loadMajajHong2015, readNetcdfAssembly, loadH5wasm, REQUIRED_COORDS } from "./neuro/majajhong";
export type { MajajHongOptions } from "./neuro/majajhong";
export { simulateVentralStream, SIMULATED_DEFAULTS } from "./neuro/simulated-ventral-stream";
export type { SimulatedVentralStream, SimulatedVentralStreamOptions } from "./neuro/simulated-ventral-stream";
