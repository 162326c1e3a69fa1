const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// ES modules that must be transformed, on top of JupyterLab's own list.
const esModules = [
  '@jupyterlab/',
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

// Keys that only make sense at the top level of a multi-project config.
const {
  coverageDirectory,
  coverageReporters,
  reporters,
  testTimeout,
  ...baseConfig
} = jestJupyterLab(__dirname);
const transform = {
  ...baseConfig.transform,
  '^.+\\.tsx?$': ['ts-jest/legacy', { tsconfig: './tsconfig.test.json' }]
};

// Copies of the package that are not its source: the venv's JupyterLab and the
// built labextension (they would also collide in jest's module map).
const modulePathIgnorePatterns = [
  '<rootDir>/.venv/',
  '<rootDir>/jupyterlab_s3_connectors/labextension/'
];

module.exports = {
  testTimeout: 60000,
  reporters: ['default'],
  coverageDirectory,
  coverageReporters,
  // Coverage counts every source file, also those no test imports.
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/__tests__/**'
  ],
  projects: [
    {
      // Widgets, models and helpers, in JupyterLab's jsdom environment.
      ...baseConfig,
      displayName: 'jsdom',
      transform,
      modulePathIgnorePatterns,
      testRegex: 'src/__tests__/.*\\.spec\\.tsx?$',
      testPathIgnorePatterns: ['/lib/', '/node_modules/', '/__tests__/node/'],
      transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
    },
    {
      // Code that talks to a real S3 server runs in Node, without the DOM shim.
      displayName: 'node',
      testEnvironment: 'node',
      moduleFileExtensions: baseConfig.moduleFileExtensions,
      transform,
      modulePathIgnorePatterns,
      testRegex: 'src/__tests__/node/.*\\.spec\\.ts$',
      // moto S3 servers for the drive's tests (endpoints in process.env).
      globalSetup: '<rootDir>/src/__tests__/node/globalSetup.ts',
      globalTeardown: '<rootDir>/src/__tests__/node/globalTeardown.ts',
      transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
    }
  ]
};
