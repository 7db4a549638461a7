import { defineConfig } from 'batchmatter';

// Alt text for the example blog's cover images, read by the model from the images themselves
// (see docs/alt-text.md). `npm run demo` runs it after the root config's tasks:
//   npx batchmatter run --config examples/alt-text.config.ts
// Paths here are relative to this file; nothing outside its folder is ever read.

/** What a usable alt text is: short, one line, no "image of", not a file name. */
const altText = {
  type: 'text',
  maxLength: 125,
  minLength: 15,
  singleLine: true,
  forbidPrefixes: ['Image of', 'Picture of', 'Photo of', 'An image of', 'A picture of', 'A photo of'],
  // A file name (`cover.png`) or a bare slug (`lisbon-offsite`) is not a description.
  forbidPatterns: ['\\b(?:image|picture|photo) of\\b', '\\.(?:png|jpe?g|gif|webp|svg|avif)\\b', '^[\\w-]+$'],
} as const;

export default defineConfig({
  content: { root: 'blog', include: ['posts/**/*.{md,mdx}'] },
  state: '.batchmatter/alt-text.json',
  tasks: {
    heroAlt: {
      field: 'heroImageAlt',
      insertAfter: 'heroImage',
      // `/covers/a.jpg` is looked for in blog/public (then here and in the content root); `./a.png` beside the post.
      image: { from: 'heroImage', publicDir: 'blog/public' },
      template: '../templates/alt-text.hbs',
      maxTokens: 100,
      output: altText,
    },
    coverAlt: {
      // A nested map: `cover: { image: …, alt: … }`.
      field: 'cover.alt',
      image: { from: 'cover.image', publicDir: 'blog/public' },
      template: '../templates/alt-text.hbs',
      maxTokens: 100,
      output: altText,
    },
  },
});
