// Reference descriptors for the TorchSharp port of face-api's face-recognition net (FaceRecognitionNet).
//
// Runs the package's own JavaScript implementation (dist/face-api.node-wasm.js on TensorFlow.js) over
// fixed crops of real FRL London faces and writes the 128-d descriptors, with the crops they came from,
// to tests/ExpressionNet.Tests/TestData/face-descriptors.json. No pixels are written there.
//
// Run from tools/face-api after one `dotnet build` of the solution has installed node_modules:
//
//   node reference-descriptors.mjs
//
// Needs the .NET SDK as well: the crops are decoded by decode-crops.cs with ImageSharp, the decoder the
// tests use. jpeg-js decodes the same JPEGs up to 3 levels apart, which moves descriptors by ~3e-3, three
// times the tests' tolerance; the script prints that gap for each face so the reason stays visible.
//
// TensorFlow.js runs on its pure-JS CPU backend (a few seconds). The wasm backend agrees with it to 3e-7
// at 150x150, but its XNNPACK convolution aborts on the 96x96 crop, where the last block convolves a 2x2
// map with a 3x3 'valid' filter and gets an empty output.
//
// Images are read from ../shared/data beside the repository, or from EXPRESSION_DATA_ROOT.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const dataRoot = process.env.EXPRESSION_DATA_ROOT ?? path.resolve(repoRoot, '..', 'shared', 'data');
const modelDir = path.join(here, 'node_modules', '@vladmandic', 'face-api', 'model');
const outputFile = path.join(repoRoot, 'tests', 'ExpressionNet.Tests', 'TestData', 'face-descriptors.json');

// 150x150 is the size face-api resizes every face to; these crops need no resizing at all. The smaller
// ones cover sizes where the net's last block degenerates (see FaceRecognitionNet.MinInputSize).
const nativeSize = 150;
const faces = [
  { image: 'frl-london/neutral/001.jpg', x: 150, y: 140, size: 150 },
  { image: 'frl-london/happy/001.jpg', x: 150, y: 140, size: 150 },
  { image: 'frl-london/neutral/002.jpg', x: 150, y: 140, size: 150 },
  { image: 'frl-london/happy/003.jpg', x: 150, y: 140, size: 150 },
  { image: 'frl-london/neutral/004.jpg', x: 169, y: 159, size: 112 },
  { image: 'frl-london/happy/005.jpg', x: 177, y: 167, size: 96 },
];

function decodeWithImageSharp() {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'face-crops-'));
  try {
    const args = faces.flatMap((f) => [f.image, f.x, f.y, f.size, f.size].map(String));
    execFileSync('dotnet', ['run', path.join(here, 'decode-crops.cs'), '--', dataRoot, outDir, ...args],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    return faces.map((_, k) => fs.readFileSync(path.join(outDir, `${k}.rgb`)));
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

function decodeWithJpegJs(face) {
  const bytes = fs.readFileSync(path.join(dataRoot, face.image));
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  const crop = Buffer.alloc(face.size * face.size * 3);
  for (let row = 0; row < face.size; row++) {
    const start = ((face.y + row) * image.width + face.x) * 3;
    crop.set(image.data.subarray(start, start + face.size * 3), row * face.size * 3);
  }
  return crop;
}

// face-api's public computeFaceDescriptor resizes every input to 150x150 first, so other sizes go
// through the net's own forwardInput with a batch that is handed over as it is.
async function describe(net, pixels, size) {
  const input = tf.tensor4d(Float32Array.from(pixels), [1, size, size, 3]);
  try {
    if (size === nativeSize) {
      return Array.from(await net.computeFaceDescriptor(input));
    }
    const output = net.forwardInput({ toBatchTensor: () => input.clone() });
    const values = await output.data();
    output.dispose();
    return Array.from(values);
  } finally {
    input.dispose();
  }
}

await tf.setBackend('cpu');
await tf.ready();
const net = new faceapi.FaceRecognitionNet();
await net.loadFromDisk(modelDir);

const crops = decodeWithImageSharp();
const entries = [];
for (const [k, face] of faces.entries()) {
  const descriptor = await describe(net, crops[k], face.size);

  const jpegJs = decodeWithJpegJs(face);
  const pixelGap = crops[k].reduce((max, v, i) => Math.max(max, Math.abs(v - jpegJs[i])), 0);
  const jpegJsDescriptor = await describe(net, jpegJs, face.size);
  const descriptorGap = descriptor.reduce((max, v, i) => Math.max(max, Math.abs(v - jpegJsDescriptor[i])), 0);
  console.log(`${face.image} ${face.size}x${face.size}: jpeg-js differs by up to ${pixelGap} levels, `
    + `descriptor by up to ${descriptorGap.toExponential(2)}`);

  entries.push({
    image: face.image,
    crop: { x: face.x, y: face.y, width: face.size, height: face.size },
    pixelsSha256: createHash('sha256').update(crops[k]).digest('hex'),
    descriptor,
  });
}

const references = {
  about: 'Descriptors from @vladmandic/face-api\'s own FaceRecognitionNet on crops of real faces, decoded '
    + 'with ImageSharp (Image.Load<Rgb24>) and fed unresized. '
    + 'Written by tools/face-api/reference-descriptors.mjs.',
  faceApi: require('@vladmandic/face-api/package.json').version,
  tfjs: tf.version.tfjs,
  backend: tf.getBackend(),
  attribution: 'Face Research Lab London Set: DeBruine, L., & Jones, B. (2017). Face Research Lab London Set '
    + '(Version 5). figshare. doi:10.6084/m9.figshare.5047666.v5 (CC BY 4.0)',
  faces: entries,
};

// One line per descriptor keeps the file readable and its diffs small.
const json = JSON.stringify(references, null, 2)
  .replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_, body) => `[${body.split(/,\s+/).join(', ')}]`);
fs.mkdirSync(path.dirname(outputFile), { recursive: true });
fs.writeFileSync(outputFile, `${json}\n`);
console.log(`Wrote ${entries.length} descriptors to ${path.relative(process.cwd(), outputFile)}`);
