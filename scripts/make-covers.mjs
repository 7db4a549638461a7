#!/usr/bin/env node
// Draws the example blog's cover images (flat shapes, so the files stay small) with sharp from inline SVG:
// `node scripts/make-covers.mjs` writes them into examples/blog. The output is committed; run it again only to
// change them. Nothing is downloaded.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const blog = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'examples', 'blog');

const svg = (width, height, body) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`);

const covers = [
  {
    // Served from the site's public folder (`heroImage: /covers/lisbon-offsite.jpg`).
    file: 'public/covers/lisbon-offsite.jpg',
    image: svg(960, 540, `<rect width="960" height="540" fill="#f28c28"/><circle cx="720" cy="170" r="90" fill="#ffd23f"/><rect y="330" width="960" height="210" fill="#1f5fbf"/><path d="M0 330 L180 220 L330 300 L470 200 L640 330 Z" fill="#8a4b22"/>`),
    encode: (s) => s.jpeg({ quality: 80, mozjpeg: true }),
  },
  {
    // Beside its post (`heroImage: ./build-traces.png`), as Astro and Hugo page bundles keep them.
    file: 'posts/2024/build-traces.png',
    image: svg(800, 420, `<rect width="800" height="420" fill="#141b3c"/>${[60, 130, 200, 270, 340].map((y, i) => `<rect x="${80 + i * 40}" y="${y}" width="${420 - i * 60}" height="40" rx="6" fill="${i === 2 ? '#f28c28' : '#1b9c9c'}"/>`).join('')}`),
    encode: (s) => s.png({ palette: true }),
  },
  {
    // In a nested map (`cover.image`), its alt text written to `cover.alt`.
    file: 'public/covers/log-drains.png',
    image: svg(640, 640, `<rect width="640" height="640" fill="#2d8a4e"/>${[0, 1, 2, 3].map((i) => `<rect x="${100 + i * 120}" y="120" width="60" height="${400 - i * 80}" fill="#f2f2f2"/>`).join('')}`),
    encode: (s) => s.png({ palette: true }),
  },
  {
    // Large and stored sideways with an EXIF orientation (6: turn 90° clockwise), as phone photos are:
    // batchmatter turns it upright and sends it at 1568 px on the long edge.
    file: 'public/covers/jekyll-migration.jpg',
    image: svg(2400, 1600, `<rect width="2400" height="1600" fill="#b5302f"/><rect x="300" y="300" width="1800" height="1000" fill="#f5f0e6"/><rect x="400" y="420" width="900" height="90" fill="#b5302f"/><rect x="400" y="600" width="1500" height="50" fill="#7a7a7a"/><rect x="400" y="720" width="1400" height="50" fill="#7a7a7a"/>`),
    // Stored turned back a quarter, so only the EXIF tag makes it upright.
    encode: (s) => s.rotate(-90).jpeg({ quality: 70, mozjpeg: true }).withMetadata({ orientation: 6 }),
  },
];

for (const cover of covers) {
  const out = path.join(blog, cover.file);
  mkdirSync(path.dirname(out), { recursive: true });
  // The rotation must see the rendered raster: render first, then encode.
  const raster = await sharp(cover.image).png().toBuffer();
  const info = await cover.encode(sharp(raster)).toFile(out);
  process.stdout.write(`${path.relative(process.cwd(), out)}: ${info.width}×${info.height}, ${info.size} bytes\n`);
}
