// Reference outputs for the TorchSharp port of face-api's tiny face detector, produced by the
// package's own JavaScript implementation. Run from the repository root after one build (which
// installs this folder's packages):
//
//   node tools/face-api/reference-detections.mjs [--cpu]
//
// --cpu uses the pure-JavaScript tfjs backend instead of WebAssembly (slower, same results).
// Photos are read from ../shared/data beside the repository, or from $EXPRESSION_DATA_ROOT.
// Writes two files to tests/ExpressionNet.Tests/TestData/, neither holding any pixels:
//   face-detections.json       for each test image its recipe (canvas size, fill colour, which
//                              photos go where) and face-api's detections; FaceDetectorTests
//                              composes the same images and compares.
//   tiny-face-detector-grids.json  the raw output grid for synthetic images whose pixels both
//                              languages compute from a formula, so the port is checked without
//                              the slight differences between JPEG decoders.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const dataRoot = process.env.EXPRESSION_DATA_ROOT ?? path.resolve(repoRoot, '../shared/data');
const modelDir = path.join(here, 'node_modules/@vladmandic/face-api/model');
const testDataDir = path.join(repoRoot, 'tests/ExpressionNet.Tests/TestData');

const grey = [128, 128, 128];
const portrait = (file) => ({ width: 450, height: 450, fill: grey, photos: [{ file, x: 0, y: 0 }] });

// Portraits spread over sex and ethnicity, two expressions; then composites that exercise padding
// to a square on either side, several faces, and no face at all.
const images = {
  'neutral-001': portrait('frl-london/neutral/001.jpg'),
  'neutral-005': portrait('frl-london/neutral/005.jpg'),
  'neutral-025': portrait('frl-london/neutral/025.jpg'),
  'neutral-042': portrait('frl-london/neutral/042.jpg'),
  'happy-006': portrait('frl-london/happy/006.jpg'),
  'happy-030': portrait('frl-london/happy/030.jpg'),
  'happy-037': portrait('frl-london/happy/037.jpg'),
  'happy-044': portrait('frl-london/happy/044.jpg'),
  'side-by-side': {
    width: 900,
    height: 450,
    fill: grey,
    photos: [
      { file: 'frl-london/neutral/012.jpg', x: 0, y: 0 },
      { file: 'frl-london/happy/024.jpg', x: 450, y: 0 },
    ],
  },
  'tall-offset': {
    width: 450, height: 700, fill: grey, photos: [{ file: 'frl-london/happy/038.jpg', x: 0, y: 250 }],
  },
  'small-in-corner': {
    width: 1000, height: 800, fill: grey, photos: [{ file: 'frl-london/neutral/034.jpg', x: 550, y: 350 }],
  },
  'blank': { width: 640, height: 480, fill: grey, photos: [] },
};

const settings = [
  { inputSize: 416, scoreThreshold: 0.5 },
  { inputSize: 320, scoreThreshold: 0.5 },
];

// Synthetic images for the grid check: one scaled down and padded at the bottom, one scaled up and
// padded at the right; both input sizes leave odd sizes to pool on the way down.
const patterns = [
  { width: 300, height: 200, inputSize: 160 },
  { width: 90, height: 120, inputSize: 128 },
];
const pattern = 'value(x, y, c) = (x * x + 3 * x * y + 7 * (c + 1) * y) mod 256';
const patternValue = (x, y, c) => (x * x + 3 * x * y + 7 * (c + 1) * y) % 256;

// Rounded far below the tolerance of the comparisons, to keep the files readable.
const round = (value, digits) => Number(value.toFixed(digits));

// Pastes decoded photos onto a filled canvas without resampling, so both languages build the same
// pixels up to their JPEG decoders.
function compose({ width, height, fill, photos }) {
  const canvas = new Uint8Array(width * height * 3);
  for (let i = 0; i < canvas.length; i++) {
    canvas[i] = fill[i % 3];
  }

  for (const photo of photos) {
    const decoded = jpeg.decode(fs.readFileSync(path.join(dataRoot, photo.file)), { formatAsRGBA: false });
    for (let row = 0; row < decoded.height && photo.y + row < height; row++) {
      for (let col = 0; col < decoded.width && photo.x + col < width; col++) {
        const from = (row * decoded.width + col) * 3;
        const to = ((photo.y + row) * width + photo.x + col) * 3;
        canvas.set(decoded.data.subarray(from, from + 3), to);
      }
    }
  }

  return faceapi.tf.tensor3d(canvas, [height, width, 3], 'int32');
}

function synthetic({ width, height }) {
  const pixels = new Int32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        pixels[(y * width + x) * 3 + c] = patternValue(x, y, c);
      }
    }
  }

  return faceapi.tf.tensor3d(pixels, [height, width, 3], 'int32');
}

function writeJson(fileName, content) {
  const file = path.join(testDataDir, fileName);
  fs.mkdirSync(testDataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  console.log(`wrote ${path.relative(repoRoot, file)}`);
}

async function main() {
  const backend = process.argv.includes('--cpu') ? 'cpu' : 'wasm';
  if (backend === 'wasm') {
    faceapi.tf.setWasmPaths(path.join(here, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  }

  await faceapi.tf.setBackend(backend);
  await faceapi.tf.ready();
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);

  const results = [];
  for (const [name, recipe] of Object.entries(images)) {
    const tensor = compose(recipe);
    const runs = [];
    for (const { inputSize, scoreThreshold } of settings) {
      const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold });
      const faces = await faceapi.detectAllFaces(tensor, options);
      runs.push({
        inputSize,
        scoreThreshold,
        faces: faces.map(({ box, score }) => ({
          x: round(box.x, 3),
          y: round(box.y, 3),
          width: round(box.width, 3),
          height: round(box.height, 3),
          score: round(score, 5),
        })),
      });
    }

    tensor.dispose();
    results.push({ name, ...recipe, runs });
    console.log(name, runs.map((run) => `${run.inputSize}: ${run.faces.length}`).join(', '));
  }

  const grids = [];
  for (const { width, height, inputSize } of patterns) {
    const tensor = synthetic({ width, height });
    const output = await faceapi.nets.tinyFaceDetector.forward(tensor, inputSize);
    const values = Array.from(output.dataSync(), (v) => round(v, 5));
    grids.push({ width, height, inputSize, shape: output.shape, values });
    tensor.dispose();
    output.dispose();
  }

  const source = {
    generator: 'tools/face-api/reference-detections.mjs',
    faceApi: faceapi.version,
    tfjs: faceapi.tf.version_core,
    backend,
  };
  writeJson('face-detections.json', {
    ...source,
    boxes: 'pixels of the composed image, as face-api returns them (not clipped)',
    images: results,
  });
  writeJson('tiny-face-detector-grids.json', {
    ...source,
    pixels: pattern,
    layout: 'shape [1, cells, cells, 25] (TensorFlow NHWC); channel 5a + k is value k of anchor a',
    grids,
  });
}

await main();
