"""Which globals a model pickle may import: an explicit list of safe callables by full name.

A pickle runs code only through the globals it imports and calls. The savers of scikit-learn,
numpy, pandas, scipy, joblib and torch emit a known, finite set of classes and reconstructors;
those (and nothing else) are trusted, each by its exact `module.name` as the unpickler resolves
it. There is no namespace or naming rule: `sklearn.x.GzipFile` or `numpy.y.io.FileIO` are not
trusted because they sit under a trusted package, and a dotted name (attribute traversal) is
never trusted unless listed whole. Everything not listed is at least HIGH.

The long per-library lists (scikit-learn estimators, numpy ufuncs and scalar types, torch.nn
modules) were generated from the installed libraries and are kept verbatim here, so that what is
trusted can be reviewed and diffed.
"""

from __future__ import annotations

_MANUAL: dict[str, tuple[str, ...]] = {
    # inert data constructors
    "builtins": (
        "set", "frozenset", "dict", "list", "tuple", "bytearray", "bytes", "complex", "int", "float", "str",
        "bool", "slice", "range", "object",
    ),
    "collections": ("OrderedDict", "defaultdict", "Counter", "deque"),
    # torch.distributed.checkpoint.save's `.metadata`: dataclasses of the plan, and the checkpoint_id path
    # (building a path object reads nothing)
    "torch.distributed.checkpoint.metadata": (
        "Metadata", "TensorStorageMetadata", "BytesStorageMetadata", "TensorProperties", "_MEM_FORMAT_ENCODING",
        "ChunkStorageMetadata", "MetadataIndex", "StorageMeta",
    ),
    "torch.distributed.checkpoint.filesystem": ("_StorageInfo",),
    "pathlib": ("PosixPath", "PurePosixPath"),
    "copyreg": ("_reconstructor",),
    "_codecs": ("encode",),
    "datetime": ("date", "datetime", "time", "timedelta", "timezone"),
    # time zones of tz-aware pandas data: zoneinfo validates its key (no absolute paths, no "..")
    "zoneinfo": ("ZoneInfo", "ZoneInfo._unpickle"),
    "pytz": ("_p", "_UTC", "UTC"),
    "dateutil.tz.tz": ("tzutc", "tzoffset"),
    "decimal": ("Decimal",),
    "fractions": ("Fraction",),
    "uuid": ("UUID",),
    # numpy reconstructors (numpy 1 and 2 module paths)
    "numpy.rec": ("recarray", "record"),
    "numpy.core.multiarray": ("_reconstruct", "scalar"),
    "numpy._core.multiarray": ("_reconstruct", "scalar"),
    "numpy.core.numeric": ("_frombuffer",),
    "numpy._core.numeric": ("_frombuffer",),
    "numpy.ma": ("MaskedArray",),
    "numpy.ma.core": ("MaskedArray", "_mareconstruct", "MaskedConstant"),
    "numpy.random._pickle": ("__randomstate_ctor", "__bit_generator_ctor", "__generator_ctor"),
    "numpy.random": ("RandomState", "Generator"),
    "numpy.random.mtrand": ("RandomState",),
    "numpy.random._generator": ("Generator",),
    "numpy.random._mt19937": ("MT19937",),
    "numpy.random._pcg64": ("PCG64", "PCG64DXSM"),
    "numpy.random._philox": ("Philox",),
    "numpy.random._sfc64": ("SFC64",),
    "numpy.random.bit_generator": ("SeedSequence", "__pyx_unpickle_SeedSequence"),
    "numpy.dtypes": (
        "BoolDType", "Int8DType", "UInt8DType", "Int16DType", "UInt16DType", "Int32DType", "UInt32DType",
        "Int64DType", "UInt64DType", "Float16DType", "Float32DType", "Float64DType", "LongDoubleDType",
        "Complex64DType", "Complex128DType", "CLongDoubleDType", "ObjectDType", "BytesDType", "StrDType",
        "VoidDType", "DateTime64DType", "TimeDelta64DType", "StringDType",
    ),
    # joblib's inline-array wrapper (the array bytes follow it in the file: see pickle_inspect)
    "joblib.numpy_pickle": ("NumpyArrayWrapper",),
    "sklearn.utils._bunch": ("Bunch",),
    "sklearn.utils": ("Bunch",),
    "sklearn.compose._column_transformer": ("make_column_selector", "_RemainderColsList"),
    "sklearn.utils._set_output": ("_SetOutputMixin",),
    "sklearn.feature_selection._univariate_selection": (
        "f_classif", "f_regression", "chi2", "r_regression", "f_oneway",
    ),
    "sklearn.feature_selection._mutual_info": ("mutual_info_classif", "mutual_info_regression"),
    # private helpers and defaults that pickles of scikit-learn's public estimators hold (found by dumping and
    # walking every estimator of `sklearn.utils.all_estimators()`: tests/python/test_model_files.py)
    "sklearn.calibration": ("_CalibratedClassifier", "_SigmoidCalibration", "_TemperatureScaling"),
    "sklearn.cluster._birch": ("_CFNode", "_CFSubcluster"),
    "sklearn.cluster._bisect_k_means": ("_BisectingTree",),
    "sklearn.cluster._kmeans": ("_kmeans_single_lloyd", "_kmeans_single_elkan"),
    "sklearn.gaussian_process._gpc": ("_BinaryGaussianProcessClassifierLaplace",),
    "sklearn.multiclass": ("_ConstantPredictor",),
    "sklearn.metrics._classification": ("balanced_accuracy_score", "accuracy_score", "f1_score"),
    "sklearn.utils._metadata_requests": ("MetadataRequest", "MethodMetadataRequest", "MetadataRouter",
                                         "MethodMapping", "RouterMappingPair", "MethodPair"),
    "sklearn.model_selection._split": (
        "LeaveOneOut", "LeavePOut", "KFold", "GroupKFold", "StratifiedKFold", "StratifiedGroupKFold",
        "TimeSeriesSplit", "LeaveOneGroupOut", "LeavePGroupsOut", "RepeatedKFold", "RepeatedStratifiedKFold",
        "ShuffleSplit", "GroupShuffleSplit", "StratifiedShuffleSplit", "PredefinedSplit", "_CVIterableWrapper",
    ),
    "scipy.interpolate._bsplines": ("BSpline",),
    "scipy._lib.array_api_compat.numpy._aliases": ("asarray",),
    "numpy": ("ndarray", "dtype", "matrix", "recarray", "record", "mean", "median", "max", "min", "sum"),
    "sklearn.metrics._dist_metrics": (
        "newObj", "EuclideanDistance64", "EuclideanDistance32", "ManhattanDistance64", "ManhattanDistance32",
        "MinkowskiDistance64", "MinkowskiDistance32", "ChebyshevDistance64", "ChebyshevDistance32",
        "SEuclideanDistance64", "MahalanobisDistance64", "HaversineDistance64", "DistanceMetric",
        "DistanceMetric64", "DistanceMetric32",
    ),
    # scipy sparse matrices and arrays
    "scipy.sparse._csr": ("csr_matrix", "csr_array"),
    "scipy.sparse._csc": ("csc_matrix", "csc_array"),
    "scipy.sparse._coo": ("coo_matrix", "coo_array"),
    "scipy.sparse._lil": ("lil_matrix", "lil_array"),
    "scipy.sparse._dok": ("dok_matrix", "dok_array"),
    "scipy.sparse._bsr": ("bsr_matrix", "bsr_array"),
    "scipy.sparse._dia": ("dia_matrix", "dia_array"),
    "scipy.sparse.csr": ("csr_matrix",),
    "scipy.sparse.csc": ("csc_matrix",),
    "scipy.sparse.coo": ("coo_matrix",),
    # pandas objects as DataFrame.to_pickle writes them (pandas 2 and 3 module paths)
    "pandas": (
        "DataFrame", "Series", "Index", "RangeIndex", "MultiIndex", "DatetimeIndex", "TimedeltaIndex",
        "PeriodIndex", "CategoricalIndex", "IntervalIndex", "Categorical", "CategoricalDtype", "DatetimeTZDtype",
        "PeriodDtype", "IntervalDtype", "SparseDtype", "StringDtype", "BooleanDtype", "Int8Dtype", "Int16Dtype",
        "Int32Dtype", "Int64Dtype", "UInt8Dtype", "UInt16Dtype", "UInt32Dtype", "UInt64Dtype", "Float32Dtype",
        "Float64Dtype", "ArrowDtype", "Timestamp", "Timedelta", "Period", "Interval", "NaT", "NA",
    ),
    "pandas.arrays": (
        "ArrowStringArray", "DatetimeArray", "TimedeltaArray", "PeriodArray", "IntegerArray", "FloatingArray",
        "BooleanArray", "StringArray", "IntervalArray", "SparseArray", "NumpyExtensionArray", "ArrowExtensionArray",
    ),
    "pandas.core.frame": ("DataFrame",),
    "pandas.core.series": ("Series",),
    "pandas.core.indexes.base": ("_new_Index", "Index"),
    "pandas.core.indexes.range": ("RangeIndex",),
    "pandas.core.indexes.multi": ("MultiIndex",),
    "pandas.core.indexes.datetimes": ("_new_DatetimeIndex", "DatetimeIndex"),
    "pandas.core.indexes.period": ("_new_PeriodIndex", "PeriodIndex"),
    "pandas.core.indexes.category": ("CategoricalIndex",),
    "pandas.core.internals.managers": ("BlockManager", "SingleBlockManager"),
    "pandas.core.internals.blocks": ("new_block", "Block", "NumpyBlock", "ExtensionBlock", "DatetimeLikeBlock"),
    "pandas._libs.internals": ("_unpickle_block", "BlockPlacement"),
    "pandas._libs.arrays": ("__pyx_unpickle_NDArrayBacked",),
    "pandas._libs.tslibs.timestamps": ("_unpickle_timestamp",),
    "pandas._libs.tslibs.timedeltas": ("_timedelta_unpickle",),
    "pandas._libs.tslibs.nattype": ("__nat_unpickle", "_nat_unpickle"),
    "pandas._libs.interval": ("Interval", "__pyx_unpickle_IntervalMixin"),
    "pandas._libs.sparse": ("IntIndex", "BlockIndex"),
    "pandas._libs.missing": ("NA", "NAType"),
    "pandas.core.indexes.timedeltas": ("_new_TimedeltaIndex", "TimedeltaIndex"),
    "pandas.core.indexes.interval": ("_new_IntervalIndex", "IntervalIndex"),
    "pandas._libs.tslibs.offsets": ("Day", "Hour", "Minute", "Second", "MonthEnd", "MonthBegin", "YearEnd"),
    "pandas.core.arrays.categorical": ("Categorical",),
    "pandas.core.arrays.datetimes": ("DatetimeArray",),
    "pandas.core.arrays.timedeltas": ("TimedeltaArray",),
    "pandas.core.arrays.integer": ("IntegerArray",),
    "pandas.core.arrays.floating": ("FloatingArray",),
    "pandas.core.arrays.boolean": ("BooleanArray",),
    "pandas.core.arrays.string_": ("StringArray", "StringDtype"),
    "pandas.core.arrays.string_arrow": ("ArrowStringArray",),
    "pandas.core.arrays.numpy_": ("NumpyExtensionArray",),
    "pandas.core.dtypes.dtypes": ("CategoricalDtype", "DatetimeTZDtype", "PeriodDtype", "IntervalDtype"),
    "pandas.core.arrays.integer_": ("Int64Dtype",),
    # pyarrow buffers behind pandas' arrow-backed strings
    "pyarrow.lib": ("_restore_array", "py_buffer", "type_for_alias", "ChunkedArray", "chunked_array"),
    # torch tensors and storages (torch.save and nn.Module pickles)
    "torch._utils": (
        "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
        "_rebuild_parameter_with_state", "_rebuild_sparse_tensor", "_rebuild_device_tensor_from_numpy",
        "_rebuild_qtensor", "_rebuild_nested_tensor", "_rebuild_meta_tensor_no_storage",
    ),
    "torch._tensor": ("_rebuild_from_type_v2", "Tensor"),
    "torch": (
        "Size", "device", "Tensor", "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
        "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
        "ComplexFloatStorage", "ComplexDoubleStorage", "QUInt8Storage", "QInt8Storage", "QInt32Storage",
        "UntypedStorage", "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8",
        "bool", "complex64", "complex128", "strided", "sparse_coo", "per_tensor_affine", "per_channel_affine",
        "contiguous_format", "channels_last",
    ),
    "torch.storage": ("UntypedStorage", "TypedStorage", "_TypedStorage"),
    "torch.nn.parameter": ("Parameter", "Buffer"),
    "torch.nn.modules.module": ("_WrappedHook",),
    "torch.serialization": ("_get_layout",),
    # activation functions an nn.Module keeps as an attribute (TransformerEncoderLayer's `activation`):
    # pure tensor maths, each by the full name pickle writes for it (some live in torch._C._nn)
    "torch.nn.functional": (
        "relu", "relu6", "elu", "selu", "celu", "silu", "mish", "tanh", "sigmoid", "hardtanh", "hardsigmoid",
        "hardswish", "leaky_relu", "glu", "softmax", "softmin", "log_softmax", "softsign", "tanhshrink", "rrelu",
        "normalize", "dropout", "layer_norm",
    ),
    "torch._C._nn": ("gelu", "softplus", "log_sigmoid", "softshrink", "linear"),
    # what transformers' Trainer saves as `training_args.bin` (torch.save of TrainingArguments): the dataclass,
    # its enums (`ExplicitEnum`: a lookup by value) and the dataclasses and state it holds
    "transformers.training_args": ("TrainingArguments", "OptimizerNames", "ParallelMode"),
    "transformers.training_args_seq2seq": ("Seq2SeqTrainingArguments",),
    "transformers.trainer_utils": (
        "IntervalStrategy", "SaveStrategy", "HubStrategy", "SchedulerType", "FSDPOption", "HPSearchBackend",
        "EvaluationStrategy",
    ),
    "transformers.trainer_pt_utils": ("AcceleratorConfig",),
    "transformers.debug_utils": ("DebugOption",),
    # accelerate's process description (a plain object filled by BUILD; no __setstate__) and its enums
    "accelerate.state": ("PartialState",),
    "accelerate.utils.dataclasses": ("DistributedType", "PrecisionType", "DynamoBackend"),
}

# Generated from the installed libraries (see the module docstring): scikit-learn estimators and the
# classes they hold, numpy ufuncs and scalar types, torch.nn modules.
_GENERATED: dict[str, tuple[str, ...]] = {
    'numpy': (
        'abs', 'absolute', 'acos', 'acosh', 'add', 'arccos', 'arccosh', 'arcsin', 'arcsinh', 'arctan', 'arctan2',
        'arctanh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'bitwise_and', 'bitwise_count', 'bitwise_invert',
        'bitwise_left_shift', 'bitwise_not', 'bitwise_or', 'bitwise_right_shift', 'bitwise_xor', 'bool', 'bool_',
        'byte', 'bytes_', 'cbrt', 'cdouble', 'ceil', 'character', 'clongdouble', 'complex128', 'complex256',
        'complex64', 'complexfloating', 'conj', 'conjugate', 'copysign', 'cos', 'cosh', 'csingle', 'datetime64',
        'deg2rad', 'degrees', 'divide', 'divmod', 'double', 'equal', 'exp', 'exp2', 'expm1', 'fabs', 'flexible',
        'float128', 'float16', 'float32', 'float64', 'float_power', 'floating', 'floor', 'floor_divide', 'fmax',
        'fmin', 'fmod', 'frexp', 'gcd', 'generic', 'greater', 'greater_equal', 'half', 'heaviside', 'hypot',
        'inexact', 'int16', 'int32', 'int64', 'int8', 'int_', 'intc', 'integer', 'intp', 'invert', 'isfinite',
        'isinf', 'isnan', 'isnat', 'lcm', 'ldexp', 'left_shift', 'less', 'less_equal', 'log', 'log10', 'log1p',
        'log2', 'logaddexp', 'logaddexp2', 'logical_and', 'logical_not', 'logical_or', 'logical_xor', 'long',
        'longdouble', 'longlong', 'matmul', 'matvec', 'maximum', 'minimum', 'mod', 'modf', 'multiply', 'negative',
        'nextafter', 'not_equal', 'number', 'object_', 'positive', 'pow', 'power', 'rad2deg', 'radians', 'reciprocal',
        'record', 'remainder', 'right_shift', 'rint', 'short', 'sign', 'signbit', 'signedinteger', 'sin', 'single',
        'sinh', 'spacing', 'sqrt', 'square', 'str_', 'subtract', 'tan', 'tanh', 'timedelta64', 'true_divide', 'trunc',
        'ubyte', 'uint', 'uint16', 'uint32', 'uint64', 'uint8', 'uintc', 'uintp', 'ulong', 'ulonglong',
        'unsignedinteger', 'ushort', 'vecdot', 'vecmat', 'void'
    ),
    'sklearn._loss._loss': (
        'CyAbsoluteError', 'CyExponentialLoss', 'CyHalfBinomialLoss', 'CyHalfGammaLoss', 'CyHalfMultinomialLoss',
        'CyHalfPoissonLoss', 'CyHalfSquaredError', 'CyHalfTweedieLoss', 'CyHalfTweedieLossIdentity', 'CyHuberLoss',
        'CyLossFunction', 'CyPinballLoss'
    ),
    'sklearn._loss.link': (
        'BaseLink', 'HalfLogitLink', 'IdentityLink', 'Interval', 'LogLink', 'LogitLink', 'MultinomialLogit'
    ),
    'sklearn._loss.loss': (
        'AbsoluteError', 'ArrayAPILossMixin', 'BaseLoss', 'ExponentialLoss', 'HalfBinomialLoss',
        'HalfBinomialLossArrayAPI', 'HalfGammaLoss', 'HalfMultinomialLoss', 'HalfMultinomialLossArrayAPI',
        'HalfPoissonLoss', 'HalfPoissonLossArrayAPI', 'HalfSquaredError', 'HalfTweedieLoss',
        'HalfTweedieLossIdentity', 'HuberLoss', 'PinballLoss'
    ),
    'sklearn.calibration': ('CalibratedClassifierCV',),
    'sklearn.cluster._affinity_propagation': ('AffinityPropagation',),
    'sklearn.cluster._agglomerative': ('AgglomerativeClustering', 'FeatureAgglomeration',),
    'sklearn.cluster._bicluster': ('SpectralBiclustering', 'SpectralCoclustering',),
    'sklearn.cluster._birch': ('Birch',),
    'sklearn.cluster._bisect_k_means': ('BisectingKMeans',),
    'sklearn.cluster._dbscan': ('DBSCAN',),
    'sklearn.cluster._hdbscan.hdbscan': ('HDBSCAN',),
    'sklearn.cluster._kmeans': ('KMeans', 'MiniBatchKMeans',),
    'sklearn.cluster._mean_shift': ('MeanShift',),
    'sklearn.cluster._optics': ('OPTICS',),
    'sklearn.cluster._spectral': ('SpectralClustering',),
    'sklearn.compose._column_transformer': ('ColumnTransformer', 'make_column_selector',),
    'sklearn.compose._target': ('TransformedTargetRegressor',),
    'sklearn.covariance._elliptic_envelope': ('EllipticEnvelope',),
    'sklearn.covariance._empirical_covariance': ('EmpiricalCovariance',),
    'sklearn.covariance._graph_lasso': ('GraphicalLasso', 'GraphicalLassoCV',),
    'sklearn.covariance._robust_covariance': ('MinCovDet',),
    'sklearn.covariance._shrunk_covariance': ('LedoitWolf', 'OAS', 'ShrunkCovariance',),
    'sklearn.cross_decomposition._pls': ('CCA', 'PLSCanonical', 'PLSRegression', 'PLSSVD',),
    'sklearn.decomposition._dict_learning': ('DictionaryLearning', 'MiniBatchDictionaryLearning', 'SparseCoder',),
    'sklearn.decomposition._factor_analysis': ('FactorAnalysis',),
    'sklearn.decomposition._fastica': ('FastICA',),
    'sklearn.decomposition._incremental_pca': ('IncrementalPCA',),
    'sklearn.decomposition._kernel_pca': ('KernelPCA',),
    'sklearn.decomposition._lda': ('LatentDirichletAllocation',),
    'sklearn.decomposition._nmf': ('MiniBatchNMF', 'NMF',),
    'sklearn.decomposition._pca': ('PCA',),
    'sklearn.decomposition._sparse_pca': ('MiniBatchSparsePCA', 'SparsePCA',),
    'sklearn.decomposition._truncated_svd': ('TruncatedSVD',),
    'sklearn.discriminant_analysis': ('LinearDiscriminantAnalysis', 'QuadraticDiscriminantAnalysis',),
    'sklearn.dummy': ('DummyClassifier', 'DummyRegressor',),
    'sklearn.ensemble._bagging': ('BaggingClassifier', 'BaggingRegressor',),
    'sklearn.ensemble._forest': (
        'ExtraTreesClassifier', 'ExtraTreesRegressor', 'RandomForestClassifier', 'RandomForestRegressor',
        'RandomTreesEmbedding'
    ),
    'sklearn.ensemble._gb': ('GradientBoostingClassifier', 'GradientBoostingRegressor',),
    'sklearn.ensemble._hist_gradient_boosting.binning': ('_BinMapper',),
    'sklearn.ensemble._hist_gradient_boosting.gradient_boosting': (
        'HistGradientBoostingClassifier', 'HistGradientBoostingRegressor'
    ),
    'sklearn.ensemble._hist_gradient_boosting.predictor': ('TreePredictor',),
    'sklearn.ensemble._iforest': ('IsolationForest',),
    'sklearn.ensemble._stacking': ('StackingClassifier', 'StackingRegressor',),
    'sklearn.ensemble._voting': ('VotingClassifier', 'VotingRegressor',),
    'sklearn.ensemble._weight_boosting': ('AdaBoostClassifier', 'AdaBoostRegressor',),
    'sklearn.feature_extraction._dict_vectorizer': ('DictVectorizer',),
    'sklearn.feature_extraction._hash': ('FeatureHasher',),
    'sklearn.feature_extraction.image': ('PatchExtractor',),
    'sklearn.feature_extraction.text': ('CountVectorizer', 'HashingVectorizer', 'TfidfTransformer', 'TfidfVectorizer',),
    'sklearn.feature_selection._from_model': ('SelectFromModel',),
    'sklearn.feature_selection._mutual_info': ('mutual_info_classif', 'mutual_info_regression',),
    'sklearn.feature_selection._rfe': ('RFE', 'RFECV',),
    'sklearn.feature_selection._sequential': ('SequentialFeatureSelector',),
    'sklearn.feature_selection._univariate_selection': (
        'GenericUnivariateSelect', 'SelectFdr', 'SelectFpr', 'SelectFwe', 'SelectKBest', 'SelectPercentile',
        '_BaseFilter', 'chi2', 'f_classif', 'f_oneway', 'f_regression', 'r_regression'
    ),
    'sklearn.feature_selection._variance_threshold': ('VarianceThreshold',),
    'sklearn.frozen._frozen': ('FrozenEstimator',),
    'sklearn.gaussian_process._gpc': ('GaussianProcessClassifier',),
    'sklearn.gaussian_process._gpr': ('GaussianProcessRegressor',),
    'sklearn.gaussian_process.kernels': (
        'CompoundKernel', 'ConstantKernel', 'DotProduct', 'ExpSineSquared', 'Exponentiation', 'GenericKernelMixin',
        'Hyperparameter', 'Kernel', 'KernelOperator', 'Matern', 'NormalizedKernelMixin', 'PairwiseKernel', 'Product',
        'RBF', 'RationalQuadratic', 'StationaryKernelMixin', 'Sum', 'WhiteKernel'
    ),
    'sklearn.impute._base': ('MissingIndicator', 'SimpleImputer',),
    'sklearn.impute._knn': ('KNNImputer',),
    'sklearn.isotonic': ('IsotonicRegression',),
    'sklearn.kernel_approximation': (
        'AdditiveChi2Sampler', 'Nystroem', 'PolynomialCountSketch', 'RBFSampler', 'SkewedChi2Sampler'
    ),
    'sklearn.kernel_ridge': ('KernelRidge',),
    'sklearn.linear_model._base': ('LinearRegression',),
    'sklearn.linear_model._bayes': ('ARDRegression', 'BayesianRidge',),
    'sklearn.linear_model._coordinate_descent': (
        'ElasticNet', 'ElasticNetCV', 'Lasso', 'LassoCV', 'MultiTaskElasticNet', 'MultiTaskElasticNetCV',
        'MultiTaskLasso', 'MultiTaskLassoCV'
    ),
    'sklearn.linear_model._glm.glm': ('GammaRegressor', 'PoissonRegressor', 'TweedieRegressor',),
    'sklearn.linear_model._huber': ('HuberRegressor',),
    'sklearn.linear_model._least_angle': ('Lars', 'LarsCV', 'LassoLars', 'LassoLarsCV', 'LassoLarsIC',),
    'sklearn.linear_model._logistic': ('LogisticRegression', 'LogisticRegressionCV',),
    'sklearn.linear_model._omp': ('OrthogonalMatchingPursuit', 'OrthogonalMatchingPursuitCV',),
    'sklearn.linear_model._passive_aggressive': ('PassiveAggressiveClassifier', 'PassiveAggressiveRegressor',),
    'sklearn.linear_model._perceptron': ('Perceptron',),
    'sklearn.linear_model._quantile': ('QuantileRegressor',),
    'sklearn.linear_model._ransac': ('RANSACRegressor',),
    'sklearn.linear_model._ridge': ('Ridge', 'RidgeCV', 'RidgeClassifier', 'RidgeClassifierCV',),
    'sklearn.linear_model._sgd_fast': (
        'Classification', 'EpsilonInsensitive', 'Hinge', 'ModifiedHuber', 'Regression', 'SquaredEpsilonInsensitive',
        'SquaredHinge'
    ),
    'sklearn.linear_model._stochastic_gradient': ('SGDClassifier', 'SGDOneClassSVM', 'SGDRegressor',),
    'sklearn.linear_model._theil_sen': ('TheilSenRegressor',),
    'sklearn.manifold._classical_mds': ('ClassicalMDS',),
    'sklearn.manifold._isomap': ('Isomap',),
    'sklearn.manifold._locally_linear': ('LocallyLinearEmbedding',),
    'sklearn.manifold._mds': ('MDS',),
    'sklearn.manifold._spectral_embedding': ('SpectralEmbedding',),
    'sklearn.manifold._t_sne': ('TSNE',),
    'sklearn.metrics._dist_metrics': (
        'BrayCurtisDistance32', 'BrayCurtisDistance64', 'CanberraDistance32', 'CanberraDistance64',
        'ChebyshevDistance32', 'ChebyshevDistance64', 'DiceDistance32', 'DiceDistance64', 'DistanceMetric',
        'DistanceMetric32', 'DistanceMetric64', 'EuclideanDistance32', 'EuclideanDistance64', 'HammingDistance32',
        'HammingDistance64', 'HaversineDistance32', 'HaversineDistance64', 'JaccardDistance32', 'JaccardDistance64',
        'KulsinskiDistance32', 'KulsinskiDistance64', 'MahalanobisDistance32', 'MahalanobisDistance64',
        'ManhattanDistance32', 'ManhattanDistance64', 'MatchingDistance32', 'MatchingDistance64',
        'MinkowskiDistance32', 'MinkowskiDistance64', 'PyFuncDistance32', 'PyFuncDistance64',
        'RogersTanimotoDistance32', 'RogersTanimotoDistance64', 'RussellRaoDistance32', 'RussellRaoDistance64',
        'SEuclideanDistance32', 'SEuclideanDistance64', 'SokalMichenerDistance32', 'SokalMichenerDistance64',
        'SokalSneathDistance32', 'SokalSneathDistance64', 'newObj'
    ),
    'sklearn.metrics._scorer': ('_BaseScorer', '_CurveScorer', '_MultimetricScorer', '_PassthroughScorer', '_Scorer',),
    'sklearn.mixture._bayesian_mixture': ('BayesianGaussianMixture',),
    'sklearn.mixture._gaussian_mixture': ('GaussianMixture',),
    'sklearn.model_selection._classification_threshold': ('FixedThresholdClassifier', 'TunedThresholdClassifierCV',),
    'sklearn.model_selection._search': ('GridSearchCV', 'RandomizedSearchCV',),
    'sklearn.multiclass': ('OneVsOneClassifier', 'OneVsRestClassifier', 'OutputCodeClassifier',),
    'sklearn.multioutput': ('ClassifierChain', 'MultiOutputClassifier', 'MultiOutputRegressor', 'RegressorChain',),
    'sklearn.naive_bayes': ('BernoulliNB', 'CategoricalNB', 'ComplementNB', 'GaussianNB', 'MultinomialNB',),
    'sklearn.neighbors._ball_tree': (
        'BallTree', 'BallTree32', 'BallTree64', 'BinaryTree32', 'BinaryTree64', 'NeighborsHeap32', 'NeighborsHeap64',
        'NodeHeap', 'newObj'
    ),
    'sklearn.neighbors._classification': ('KNeighborsClassifier', 'RadiusNeighborsClassifier',),
    'sklearn.neighbors._graph': ('KNeighborsTransformer', 'RadiusNeighborsTransformer',),
    'sklearn.neighbors._kd_tree': (
        'BinaryTree32', 'BinaryTree64', 'KDTree', 'KDTree32', 'KDTree64', 'NeighborsHeap32', 'NeighborsHeap64',
        'NodeHeap', 'newObj'
    ),
    'sklearn.neighbors._kde': ('KernelDensity',),
    'sklearn.neighbors._lof': ('LocalOutlierFactor',),
    'sklearn.neighbors._nca': ('NeighborhoodComponentsAnalysis',),
    'sklearn.neighbors._nearest_centroid': ('NearestCentroid',),
    'sklearn.neighbors._regression': ('KNeighborsRegressor', 'RadiusNeighborsRegressor',),
    'sklearn.neighbors._unsupervised': ('NearestNeighbors',),
    'sklearn.neural_network._multilayer_perceptron': ('MLPClassifier', 'MLPRegressor',),
    'sklearn.neural_network._rbm': ('BernoulliRBM',),
    'sklearn.neural_network._stochastic_optimizers': ('AdamOptimizer', 'BaseOptimizer', 'SGDOptimizer',),
    'sklearn.pipeline': ('FeatureUnion', 'Pipeline',),
    'sklearn.preprocessing._data': (
        'Binarizer', 'KernelCenterer', 'MaxAbsScaler', 'MinMaxScaler', 'Normalizer', 'PowerTransformer',
        'QuantileTransformer', 'RobustScaler', 'StandardScaler'
    ),
    'sklearn.preprocessing._discretization': ('KBinsDiscretizer',),
    'sklearn.preprocessing._encoders': ('OneHotEncoder', 'OrdinalEncoder',),
    'sklearn.preprocessing._function_transformer': ('FunctionTransformer',),
    'sklearn.preprocessing._label': ('LabelBinarizer', 'LabelEncoder', 'MultiLabelBinarizer',),
    'sklearn.preprocessing._polynomial': ('PolynomialFeatures', 'SplineTransformer',),
    'sklearn.preprocessing._target_encoder': ('TargetEncoder',),
    'sklearn.random_projection': ('GaussianRandomProjection', 'SparseRandomProjection',),
    'sklearn.semi_supervised._label_propagation': ('LabelPropagation', 'LabelSpreading',),
    'sklearn.semi_supervised._self_training': ('SelfTrainingClassifier',),
    'sklearn.svm._classes': ('LinearSVC', 'LinearSVR', 'NuSVC', 'NuSVR', 'OneClassSVM', 'SVC', 'SVR',),
    'sklearn.tree._classes': (
        'DecisionTreeClassifier', 'DecisionTreeRegressor', 'ExtraTreeClassifier', 'ExtraTreeRegressor'
    ),
    'sklearn.tree._criterion': (
        'ClassificationCriterion', 'Criterion', 'Entropy', 'Gini', 'MAE', 'MSE', 'Poisson', 'RegressionCriterion'
    ),
    'sklearn.tree._splitter': (
        'BestSparseSplitter', 'BestSplitter', 'RandomSparseSplitter', 'RandomSplitter', 'Splitter'
    ),
    'sklearn.tree._tree': (
        'BestFirstTreeBuilder', 'DepthFirstTreeBuilder', 'Tree', 'TreeBuilder', '_AlphaPruner', '_CCPPruneController',
        '_PathFinder'
    ),
    'sklearn.utils._bunch': ('Bunch',),
    'sklearn.utils._param_validation': (
        'HasMethods', 'Hidden', 'Interval', 'InvalidParameterError', 'MissingValues', 'Options', 'RealNotInt',
        'StrOptions', '_ArrayLikes', '_Booleans', '_CVObjects', '_Callables', '_Constraint', '_InstancesOf',
        '_IterablesNotString', '_NanConstraint', '_NoneConstraint', '_PandasNAConstraint', '_RandomStates',
        '_SparseMatrices', '_VerboseHelper'
    ),
    'torch.nn.modules.activation': (
        'CELU', 'ELU', 'GELU', 'GLU', 'Hardshrink', 'Hardsigmoid', 'Hardswish', 'Hardtanh', 'LeakyReLU', 'LogSigmoid',
        'LogSoftmax', 'Mish', 'MultiheadAttention', 'PReLU', 'RReLU', 'ReLU', 'ReLU6', 'SELU', 'SiLU', 'Sigmoid',
        'Softmax', 'Softmax2d', 'Softmin', 'Softplus', 'Softshrink', 'Softsign', 'Tanh', 'Tanhshrink', 'Threshold'
    ),
    'torch.nn.modules.adaptive': ('AdaptiveLogSoftmaxWithLoss',),
    'torch.nn.modules.batchnorm': (
        'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'LazyBatchNorm1d', 'LazyBatchNorm2d', 'LazyBatchNorm3d',
        'SyncBatchNorm', '_BatchNorm', '_LazyNormBase', '_NormBase'
    ),
    'torch.nn.modules.channelshuffle': ('ChannelShuffle',),
    'torch.nn.modules.container': (
        'Container', 'ModuleDict', 'ModuleList', 'ParameterDict', 'ParameterList', 'Sequential'
    ),
    'torch.nn.modules.conv': (
        'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'LazyConv1d',
        'LazyConv2d', 'LazyConv3d', 'LazyConvTranspose1d', 'LazyConvTranspose2d', 'LazyConvTranspose3d', '_ConvNd',
        '_ConvTransposeMixin', '_ConvTransposeNd'
    ),
    'torch.nn.modules.distance': ('CosineSimilarity', 'PairwiseDistance',),
    'torch.nn.modules.dropout': (
        'AlphaDropout', 'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'FeatureAlphaDropout', '_DropoutNd'
    ),
    'torch.nn.modules.flatten': ('Flatten', 'Unflatten',),
    'torch.nn.modules.fold': ('Fold', 'Unfold',),
    'torch.nn.modules.instancenorm': (
        'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'LazyInstanceNorm1d', 'LazyInstanceNorm2d',
        'LazyInstanceNorm3d', '_InstanceNorm'
    ),
    'torch.nn.modules.linear': ('Bilinear', 'Identity', 'LazyLinear', 'Linear', 'NonDynamicallyQuantizableLinear',),
    'torch.nn.modules.loss': (
        'BCELoss', 'BCEWithLogitsLoss', 'CTCLoss', 'CosineEmbeddingLoss', 'CrossEntropyLoss', 'GaussianNLLLoss',
        'HingeEmbeddingLoss', 'HuberLoss', 'KLDivLoss', 'L1Loss', 'LinearCrossEntropyLoss', 'MSELoss',
        'MarginRankingLoss', 'MultiLabelMarginLoss', 'MultiLabelSoftMarginLoss', 'MultiMarginLoss', 'NLLLoss',
        'NLLLoss2d', 'PoissonNLLLoss', 'SmoothL1Loss', 'SoftMarginLoss', 'TripletMarginLoss',
        'TripletMarginWithDistanceLoss', '_Loss', '_WeightedLoss'
    ),
    'torch.nn.modules.module': ('Module',),
    'torch.nn.modules.normalization': ('CrossMapLRN2d', 'GroupNorm', 'LayerNorm', 'LocalResponseNorm', 'RMSNorm',),
    'torch.nn.modules.padding': (
        'CircularPad1d', 'CircularPad2d', 'CircularPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d',
        'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
        'ReplicationPad3d', 'ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', '_CircularPadNd', '_ConstantPadNd',
        '_ReflectionPadNd', '_ReplicationPadNd'
    ),
    'torch.nn.modules.pixelshuffle': ('PixelShuffle', 'PixelUnshuffle',),
    'torch.nn.modules.pooling': (
        'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d', 'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d',
        'AdaptiveMaxPool3d', 'AvgPool1d', 'AvgPool2d', 'AvgPool3d', 'FractionalMaxPool2d', 'FractionalMaxPool3d',
        'LPPool1d', 'LPPool2d', 'LPPool3d', 'MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'MaxUnpool1d', 'MaxUnpool2d',
        'MaxUnpool3d', '_AdaptiveAvgPoolNd', '_AdaptiveMaxPoolNd', '_AvgPoolNd', '_LPPoolNd', '_MaxPoolNd',
        '_MaxUnpoolNd'
    ),
    'torch.nn.modules.rnn': ('GRU', 'GRUCell', 'LSTM', 'LSTMCell', 'RNN', 'RNNBase', 'RNNCell', 'RNNCellBase',),
    'torch.nn.modules.sparse': ('Embedding', 'EmbeddingBag',),
    'torch.nn.modules.transformer': (
        'Transformer', 'TransformerDecoder', 'TransformerDecoderLayer', 'TransformerEncoder',
        'TransformerEncoderLayer'
    ),
    'torch.nn.modules.upsampling': ('Upsample', 'UpsamplingBilinear2d', 'UpsamplingNearest2d',),
}


# Value types the libraries' savers emit inside fitted objects (issue 12, red-team set E benign twins):
# scipy.stats distributions a RandomizedSearchCV keeps (their `_parse_arg_template`, which scipy's
# `__setstate__` execs, is checked against scipy's own template in `pickle_inspect`), scipy ufuncs a
# FunctionTransformer keeps, pandas date offsets, torch dtypes, distributions and datasets. Generated from
# scipy 1.17, pandas and torch 2.13 (classes of each module, by the name pickle writes), kept verbatim.
_VALUE_TYPES: dict[str, tuple[str, ...]] = {
    'scipy.stats._continuous_distns': (
        'alpha_gen', 'anglit_gen', 'arcsine_gen', 'argus_gen', 'beta_gen', 'betaprime_gen', 'bradford_gen',
        'burr12_gen', 'burr_gen', 'cauchy_gen', 'chi2_gen', 'chi_gen', 'cosine_gen', 'crystalball_gen',
        'dgamma_gen', 'dpareto_lognorm_gen', 'dweibull_gen', 'erlang_gen', 'expon_gen', 'exponnorm_gen',
        'exponpow_gen', 'exponweib_gen', 'f_gen', 'fatiguelife_gen', 'fisk_gen', 'foldcauchy_gen', 'foldnorm_gen',
        'gamma_gen', 'gausshyper_gen', 'genexpon_gen', 'genextreme_gen', 'gengamma_gen', 'genhalflogistic_gen',
        'genhyperbolic_gen', 'geninvgauss_gen', 'genlogistic_gen', 'gennorm_gen', 'genpareto_gen', 'gibrat_gen',
        'gompertz_gen', 'gumbel_l_gen', 'gumbel_r_gen', 'halfcauchy_gen', 'halfgennorm_gen', 'halflogistic_gen',
        'halfnorm_gen', 'hypsecant_gen', 'invgamma_gen', 'invgauss_gen', 'invweibull_gen', 'irwinhall_gen',
        'jf_skew_t_gen', 'johnsonsb_gen', 'johnsonsu_gen', 'kappa3_gen', 'kappa4_gen', 'ksone_gen', 'kstwo_gen',
        'kstwobign_gen', 'landau_gen', 'laplace_asymmetric_gen', 'laplace_gen', 'levy_gen', 'levy_l_gen',
        'loggamma_gen', 'logistic_gen', 'loglaplace_gen', 'lognorm_gen', 'lomax_gen', 'maxwell_gen', 'mielke_gen',
        'moyal_gen', 'nakagami_gen', 'ncf_gen', 'nct_gen', 'ncx2_gen', 'norm_gen', 'norminvgauss_gen', 'pareto_gen',
        'pearson3_gen', 'powerlaw_gen', 'powerlognorm_gen', 'powernorm_gen', 'rayleigh_gen', 'rdist_gen',
        'recipinvgauss_gen', 'reciprocal_gen', 'rel_breitwigner_gen', 'rice_gen', 'rv_histogram',
        'semicircular_gen', 'skewcauchy_gen', 'skewnorm_gen', 'studentized_range_gen', 't_gen', 'trapezoid_gen',
        'triang_gen', 'truncexpon_gen', 'truncnorm_gen', 'truncpareto_gen', 'truncweibull_min_gen',
        'tukeylambda_gen', 'uniform_gen', 'vonmises_gen', 'wald_gen', 'weibull_max_gen', 'weibull_min_gen',
        'wrapcauchy_gen',
    ),
    'scipy.stats._discrete_distns': (
        '_nchypergeom_gen', '_pb_cls', 'bernoulli_gen', 'betabinom_gen', 'betanbinom_gen', 'binom_gen',
        'boltzmann_gen', 'dlaplace_gen', 'geom_gen', 'hypergeom_gen', 'logser_gen', 'nbinom_gen',
        'nchypergeom_fisher_gen', 'nchypergeom_wallenius_gen', 'nhypergeom_gen', 'planck_gen', 'poisson_binom_gen',
        'poisson_gen', 'randint_gen', 'skellam_gen', 'yulesimon_gen', 'zipf_gen', 'zipfian_gen',
    ),
    'scipy.special._special_ufuncs': (
        '_cospi', '_gen_harmonic', '_iv_ratio', '_iv_ratio_c', '_lambertw', '_log1mexp', '_log1pmx',
        '_normalized_gen_harmonic', '_riemann_zeta', '_scaled_exp1', '_sinpi', '_spherical_in', '_spherical_in_d',
        '_spherical_jn', '_spherical_jn_d', '_spherical_kn', '_spherical_kn_d', '_spherical_yn', '_spherical_yn_d',
        '_zeta', 'airy', 'airye', 'bei', 'beip', 'ber', 'berp', 'besselpoly', 'beta', 'betaln', 'binom', 'cbrt',
        'cosdg', 'cosm1', 'cotdg', 'dawsn', 'ellipe', 'ellipeinc', 'ellipj', 'ellipk', 'ellipkinc', 'ellipkm1',
        'erf', 'erfc', 'erfcx', 'erfi', 'exp1', 'exp10', 'exp2', 'expi', 'expit', 'expm1', 'exprel', 'fresnel',
        'gamma', 'gammainc', 'gammaincc', 'gammainccinv', 'gammaincinv', 'gammaln', 'gammasgn', 'hankel1',
        'hankel1e', 'hankel2', 'hankel2e', 'hyp2f1', 'i0', 'i0e', 'i1', 'i1e', 'it2i0k0', 'it2j0y0', 'it2struve0',
        'itairy', 'iti0k0', 'itj0y0', 'itmodstruve0', 'itstruve0', 'iv', 'ive', 'j0', 'j1', 'jv', 'jve', 'k0',
        'k0e', 'k1', 'k1e', 'kei', 'keip', 'kelvin', 'ker', 'kerp', 'kv', 'kve', 'log1p', 'log_expit', 'log_ndtr',
        'log_wright_bessel', 'loggamma', 'logit', 'mathieu_a', 'mathieu_b', 'mathieu_cem', 'mathieu_modcem1',
        'mathieu_modcem2', 'mathieu_modsem1', 'mathieu_modsem2', 'mathieu_sem', 'modfresnelm', 'modfresnelp',
        'modstruve', 'ndtr', 'obl_ang1', 'obl_ang1_cv', 'obl_cv', 'obl_rad1', 'obl_rad1_cv', 'obl_rad2',
        'obl_rad2_cv', 'pbdv', 'pbvv', 'pbwa', 'pro_ang1', 'pro_ang1_cv', 'pro_cv', 'pro_rad1', 'pro_rad1_cv',
        'pro_rad2', 'pro_rad2_cv', 'psi', 'radian', 'rgamma', 'sindg', 'struve', 'tandg', 'voigt_profile', 'wofz',
        'wright_bessel', 'xlog1py', 'xlogy', 'y0', 'y1', 'yv', 'yve', 'zetac',
    ),
    'scipy.special._ufuncs': (
        'agm', 'airy', 'airye', 'bdtr', 'bdtrc', 'bdtri', 'bdtrik', 'bdtrin', 'bei', 'beip', 'ber', 'berp',
        'besselpoly', 'beta', 'betainc', 'betaincc', 'betainccinv', 'betaincinv', 'betaln', 'binom', 'boxcox',
        'boxcox1p', 'btdtria', 'btdtrib', 'cbrt', 'chdtr', 'chdtrc', 'chdtri', 'chdtriv', 'chndtr', 'chndtridf',
        'chndtrinc', 'chndtrix', 'cosdg', 'cosm1', 'cotdg', 'dawsn', 'ellipe', 'ellipeinc', 'ellipj', 'ellipk',
        'ellipkinc', 'ellipkm1', 'elliprc', 'elliprd', 'elliprf', 'elliprg', 'elliprj', 'entr', 'erf', 'erfc',
        'erfcinv', 'erfcx', 'erfi', 'erfinv', 'eval_chebyc', 'eval_chebys', 'eval_chebyt', 'eval_chebyu',
        'eval_gegenbauer', 'eval_genlaguerre', 'eval_hermite', 'eval_hermitenorm', 'eval_jacobi', 'eval_laguerre',
        'eval_legendre', 'eval_sh_chebyt', 'eval_sh_chebyu', 'eval_sh_jacobi', 'eval_sh_legendre', 'exp1', 'exp10',
        'exp2', 'expi', 'expit', 'expm1', 'expn', 'exprel', 'fdtr', 'fdtrc', 'fdtri', 'fdtridfd', 'fresnel',
        'gamma', 'gammainc', 'gammaincc', 'gammainccinv', 'gammaincinv', 'gammaln', 'gammasgn', 'gdtr', 'gdtrc',
        'gdtria', 'gdtrib', 'gdtrix', 'hankel1', 'hankel1e', 'hankel2', 'hankel2e', 'huber', 'hyp0f1', 'hyp1f1',
        'hyp2f1', 'hyperu', 'i0', 'i0e', 'i1', 'i1e', 'inv_boxcox', 'inv_boxcox1p', 'it2i0k0', 'it2j0y0',
        'it2struve0', 'itairy', 'iti0k0', 'itj0y0', 'itmodstruve0', 'itstruve0', 'iv', 'ive', 'j0', 'j1', 'jn',
        'jv', 'jve', 'k0', 'k0e', 'k1', 'k1e', 'kei', 'keip', 'kelvin', 'ker', 'kerp', 'kl_div', 'kn', 'kolmogi',
        'kolmogorov', 'kv', 'kve', 'log1p', 'log_expit', 'log_ndtr', 'log_wright_bessel', 'loggamma', 'logit',
        'lpmv', 'mathieu_a', 'mathieu_b', 'mathieu_cem', 'mathieu_modcem1', 'mathieu_modcem2', 'mathieu_modsem1',
        'mathieu_modsem2', 'mathieu_sem', 'modfresnelm', 'modfresnelp', 'modstruve', 'nbdtr', 'nbdtrc', 'nbdtri',
        'nbdtrik', 'nbdtrin', 'ncfdtr', 'ncfdtri', 'ncfdtridfd', 'ncfdtridfn', 'ncfdtrinc', 'nctdtr', 'nctdtridf',
        'nctdtrinc', 'nctdtrit', 'ndtr', 'ndtri', 'ndtri_exp', 'nrdtrimn', 'nrdtrisd', 'obl_ang1', 'obl_ang1_cv',
        'obl_cv', 'obl_rad1', 'obl_rad1_cv', 'obl_rad2', 'obl_rad2_cv', 'owens_t', 'pbdv', 'pbvv', 'pbwa', 'pdtr',
        'pdtrc', 'pdtri', 'pdtrik', 'poch', 'powm1', 'pro_ang1', 'pro_ang1_cv', 'pro_cv', 'pro_rad1', 'pro_rad1_cv',
        'pro_rad2', 'pro_rad2_cv', 'pseudo_huber', 'psi', 'radian', 'rel_entr', 'rgamma', 'round', 'shichi', 'sici',
        'sindg', 'smirnov', 'smirnovi', 'spence', 'stdtr', 'stdtridf', 'stdtrit', 'struve', 'tandg', 'tklmbda',
        'voigt_profile', 'wofz', 'wright_bessel', 'wrightomega', 'xlog1py', 'xlogy', 'y0', 'y1', 'yn', 'yv', 'yve',
        'zetac',
    ),
    'pandas._libs.tslibs.offsets': (
        'BDay', 'BHalfYearBegin', 'BHalfYearEnd', 'BMonthBegin', 'BMonthEnd', 'BQuarterBegin', 'BQuarterEnd',
        'BYearBegin', 'BYearEnd', 'BaseOffset', 'BusinessDay', 'BusinessHour', 'BusinessMixin',
        'BusinessMonthBegin', 'BusinessMonthEnd', 'CBMonthBegin', 'CBMonthEnd', 'CDay', 'CustomBusinessDay',
        'CustomBusinessHour', 'CustomBusinessMonthBegin', 'CustomBusinessMonthEnd', 'Day', 'Easter', 'FY5253',
        'FY5253Mixin', 'FY5253Quarter', 'HalfYearBegin', 'HalfYearEnd', 'HalfYearOffset', 'Hour', 'LastWeekOfMonth',
        'Micro', 'Milli', 'Minute', 'MonthBegin', 'MonthEnd', 'MonthOffset', 'Nano', 'QuarterBegin', 'QuarterEnd',
        'QuarterOffset', 'RelativeDeltaOffset', 'Second', 'SemiMonthBegin', 'SemiMonthEnd', 'SemiMonthOffset',
        'SingleConstructorOffset', 'Tick', 'Week', 'WeekOfMonth', 'WeekOfMonthMixin', 'YearBegin', 'YearEnd',
        'YearOffset', '_CustomBusinessMonth', '_CustomBusinessMonthBegin', '_CustomBusinessMonthEnd', '_YearEnd',
    ),
    'torch': (
        'bfloat16', 'bit', 'bits16', 'bits1x8', 'bits2x4', 'bits4x2', 'bits8', 'bool', 'cdouble', 'cfloat', 'chalf',
        'complex128', 'complex32', 'complex64', 'double', 'float', 'float16', 'float32', 'float4_e2m1fn_x2',
        'float64', 'float8_e4m3fn', 'float8_e4m3fnuz', 'float8_e5m2', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'half',
        'int', 'int1', 'int16', 'int2', 'int3', 'int32', 'int4', 'int5', 'int6', 'int64', 'int7', 'int8', 'long',
        'qint32', 'qint8', 'quint2x4', 'quint4x2', 'quint8', 'short', 'uint1', 'uint16', 'uint2', 'uint3', 'uint32',
        'uint4', 'uint5', 'uint6', 'uint64', 'uint7', 'uint8',
    ),
    'torch.distributions.bernoulli': (
        'Bernoulli',
    ),
    'torch.distributions.beta': (
        'Beta',
    ),
    'torch.distributions.binomial': (
        'Binomial',
    ),
    'torch.distributions.categorical': (
        'Categorical',
    ),
    'torch.distributions.cauchy': (
        'Cauchy',
    ),
    'torch.distributions.chi2': (
        'Chi2',
    ),
    'torch.distributions.continuous_bernoulli': (
        'ContinuousBernoulli',
    ),
    'torch.distributions.dirichlet': (
        'Dirichlet',
    ),
    'torch.distributions.distribution': (
        'Distribution',
    ),
    'torch.distributions.exp_family': (
        'ExponentialFamily',
    ),
    'torch.distributions.exponential': (
        'Exponential',
    ),
    'torch.distributions.fishersnedecor': (
        'FisherSnedecor',
    ),
    'torch.distributions.gamma': (
        'Gamma',
    ),
    'torch.distributions.generalized_pareto': (
        'GeneralizedPareto',
    ),
    'torch.distributions.geometric': (
        'Geometric',
    ),
    'torch.distributions.gumbel': (
        'Gumbel',
    ),
    'torch.distributions.half_cauchy': (
        'HalfCauchy',
    ),
    'torch.distributions.half_normal': (
        'HalfNormal',
    ),
    'torch.distributions.independent': (
        'Independent',
    ),
    'torch.distributions.inverse_gamma': (
        'InverseGamma',
    ),
    'torch.distributions.kumaraswamy': (
        'Kumaraswamy',
    ),
    'torch.distributions.laplace': (
        'Laplace',
    ),
    'torch.distributions.lkj_cholesky': (
        'LKJCholesky',
    ),
    'torch.distributions.log_normal': (
        'LogNormal',
    ),
    'torch.distributions.logistic_normal': (
        'LogisticNormal',
    ),
    'torch.distributions.lowrank_multivariate_normal': (
        'LowRankMultivariateNormal',
    ),
    'torch.distributions.mixture_same_family': (
        'MixtureSameFamily',
    ),
    'torch.distributions.multinomial': (
        'Multinomial',
    ),
    'torch.distributions.multivariate_normal': (
        'MultivariateNormal',
    ),
    'torch.distributions.negative_binomial': (
        'NegativeBinomial',
    ),
    'torch.distributions.normal': (
        'Normal',
    ),
    'torch.distributions.one_hot_categorical': (
        'OneHotCategorical', 'OneHotCategoricalStraightThrough',
    ),
    'torch.distributions.pareto': (
        'Pareto',
    ),
    'torch.distributions.poisson': (
        'Poisson',
    ),
    'torch.distributions.relaxed_bernoulli': (
        'RelaxedBernoulli',
    ),
    'torch.distributions.relaxed_categorical': (
        'RelaxedOneHotCategorical',
    ),
    'torch.distributions.studentT': (
        'StudentT',
    ),
    'torch.distributions.transformed_distribution': (
        'TransformedDistribution',
    ),
    'torch.distributions.uniform': (
        'Uniform',
    ),
    'torch.distributions.von_mises': (
        'VonMises',
    ),
    'torch.distributions.weibull': (
        'Weibull',
    ),
    'torch.distributions.wishart': (
        'Wishart',
    ),
    'scipy.stats._distn_infrastructure': ('rv_continuous_frozen', 'rv_discrete_frozen'),
    'pandas': ('DateOffset',),
    'dateutil.relativedelta': ('relativedelta',),
    # tzfile(None, name) reads nothing; a first argument that is a path is flagged in pickle_inspect
    'dateutil.tz.tz': ('tzfile', '_ttinfo'),
    'torch.nn.utils.weight_norm': ('WeightNorm',),
    'torch.utils.data.dataset': ('TensorDataset', 'Subset', 'ConcatDataset', 'StackDataset'),
    'sklearn.impute._iterative': ('IterativeImputer', '_ImputerTriplet'),
}


def _pairs(table: dict[str, tuple[str, ...]]) -> set[str]:
    return {f"{module}.{name}" for module, names in table.items() for name in names}


TRUSTED_GLOBALS: frozenset[str] = frozenset(_pairs(_MANUAL) | _pairs(_GENERATED) | _pairs(_VALUE_TYPES))
# scipy distribution objects whose `__setstate__` execs the `_parse_arg_template` string of their state
SCIPY_DISTRIBUTIONS: frozenset[str] = frozenset(
    _pairs({m: n for m, n in _VALUE_TYPES.items() if m in (
        "scipy.stats._continuous_distns", "scipy.stats._discrete_distns")}))
# Trusted callables that open the file named by one of their arguments unless it is None
OPENS_ARGUMENT: dict[str, int] = {"dateutil.tz.tz.tzfile": 0}

# Trusted callables that call or instantiate some of their arguments: those arguments must be
# plain imports of trusted names, never an object built during the load (a gadget chain).
CALLS_ARGUMENTS: dict[str, tuple[int, ...]] = {
    "copyreg._reconstructor": (0, 1),
    "copyreg.__newobj__": (0,),
    "copyreg.__newobj_ex__": (0,),
    "torch._tensor._rebuild_from_type_v2": (0, 1),
    "torch._utils._rebuild_parameter_with_state": (),
    "numpy.core.multiarray._reconstruct": (0,),
    "numpy._core.multiarray._reconstruct": (0,),
    "numpy.ma.core._mareconstruct": (0, 1),
    "collections.defaultdict": (0,),
    "numpy.random._pickle.__generator_ctor": (1,),
    "numpy.random._pickle.__randomstate_ctor": (1,),
    "numpy.random._pickle.__bit_generator_ctor": (0,),
    "pandas.core.indexes.base._new_Index": (0,),
    "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked": (0,),
    "numpy.random.bit_generator.__pyx_unpickle_SeedSequence": (0,),
}
# Cython's generated unpicklers and `newObj` helpers instantiate their first argument.
CALLS_FIRST_ARGUMENT_SUFFIXES = (".newObj",)
CALLS_FIRST_ARGUMENT_PREFIXES = ("__pyx_unpickle_",)

# Classes whose instances the unpickler may fill with APPEND/SETITEM (it calls their
# append/extend/add/__setitem__, which for these only store data).
CONTAINER_CLASSES: frozenset[str] = frozenset(
    (
        "builtins.list", "builtins.dict", "builtins.set", "builtins.bytearray", "collections.OrderedDict",
        "collections.defaultdict", "collections.Counter", "collections.deque", "sklearn.utils._bunch.Bunch",
        "sklearn.utils.Bunch", "sklearn.compose._column_transformer._RemainderColsList",
    )
)

# Modules whose globals execute code, touch files, processes or the network: CRITICAL.
DANGEROUS_MODULES: tuple[str, ...] = (
    "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "sys", "runpy", "importlib", "imp", "pkgutil",
    "zipimport", "webbrowser", "socket", "socketserver", "ssl", "shutil", "pty", "code", "codeop", "pdb",
    "bdb", "ctypes", "_ctypes", "marshal", "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "joblib",
    "types", "asyncio", "multiprocessing", "threading", "_thread", "signal", "requests", "urllib", "urllib2",
    "urllib3", "http", "httplib", "ftplib", "telnetlib", "smtplib", "poplib", "imaplib", "xmlrpc", "commands",
    "tempfile", "glob", "io", "_io", "pathlib", "site", "platform", "shelve", "timeit", "torch.hub",
    "torch.jit", "torch.load", "torch.serialization", "torch.utils.cpp_extension", "torch.ops",
    "torch._dynamo", "torch._inductor", "torch.package", "torch.storage._load_from_bytes", "numpy.load",
    "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.ctypeslib", "numpy.lib.npyio", "numpy.lib.format",
    "sklearn.utils._testing", "keras.src.saving", "operator", "functools", "inspect", "gc", "weakref",
    "linecache", "trace", "venv", "ensurepip", "distutils", "setuptools", "pip", "gzip", "bz2", "lzma",
    "zipfile", "tarfile", "fileinput", "mmap", "builtins.__import__", "jinja2", "mako", "yaml", "dataclasses",
    "_posixsubprocess", "_winapi", "winreg", "_osx_support", "sqlite3", "dbm", "logging", "configparser",
    "urllib.request", "aiohttp", "httpx", "paramiko", "ftplib", "email", "smtpd", "cProfile", "profile",
    "pydoc", "idlelib", "tkinter", "turtle", "antigravity", "this", "code", "builtins.eval",
)
DANGEROUS_BUILTINS: frozenset[str] = frozenset(
    (
        "eval", "exec", "execfile", "compile", "open", "file", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "input", "raw_input", "breakpoint", "apply", "reload", "help", "exit",
        "quit", "memoryview", "__loader__", "__build_class__", "type", "super", "classmethod", "staticmethod",
        "property", "print", "dir", "id", "hasattr", "iter", "next", "map", "filter", "zip",
    )
)
# Names that are dangerous wherever they are imported from: a module that re-exports `FileIO`,
# `system` or `CodeType` hands the unpickler the same object.
DANGEROUS_NAMES: frozenset[str] = frozenset(
    (
        "system", "popen", "Popen", "call", "check_call", "check_output", "run", "getoutput", "getstatusoutput",
        "spawn", "spawnl", "spawnv", "spawnve", "execl", "execv", "execve", "execvp", "fork", "forkpty", "kill",
        "eval", "exec", "compile", "__import__", "import_module", "getattr", "setattr", "delattr", "open",
        "FileIO", "BufferedWriter", "BufferedReader", "TextIOWrapper", "GzipFile", "BZ2File", "LZMAFile",
        "ZipFile", "TarFile", "FortranFile", "netcdf_file", "NetCDFFile", "CodeType", "FunctionType",
        "LambdaType", "MethodType", "ModuleType", "loads", "load", "load_model", "urlopen", "urlretrieve",
        "get_file", "rmtree", "remove", "unlink", "rename", "replace", "write_bytes", "write_text", "mkfifo",
        "symlink", "chmod", "chown", "truncate", "memmap", "fromfile", "tofile", "save", "savez", "savetxt",
        "loadtxt", "genfromtxt", "read_pickle", "to_pickle", "read_csv", "read_sql", "attrgetter",
        "methodcaller", "itemgetter", "partial", "reduce", "apply", "ctypes", "CDLL", "PyDLL", "cdll",
        "dlopen", "LoadLibrary", "create_connection", "socket", "connect", "Template", "Environment",
        "from_file", "load_library", "runstring", "run_path", "run_module", "_run_module_as_main",
        "_run_code", "interact", "breakpoint", "set_trace", "execfile", "mktemp", "NamedTemporaryFile",
        "write", "writelines",
    )
)
