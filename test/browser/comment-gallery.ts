import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { encodeFileUpdateEvent, FILE_UPDATE } from "../../src/nomad/index.js";
import { parseMarker } from "../../src/render/marker.js";
import { appendEntries } from "../../src/service/append-entries.js";
import { putValueUpdate } from "../../src/service/value-update-content.js";
import type { KuboNode } from "../helpers/kubo.js";
import {
  createProjectTarget,
  createStorageTarget,
  proposePatch,
  repointPatch,
  testPublish,
} from "../helpers/nomad-builders/index.js";
import { startApp } from "../integration/app/harness.js";
import { commentCreated, issueOpened } from "../integration/app/payloads.js";

/** One comment the bot posted, named for what it shows. */
export interface PostedComment {
  readonly name: string;
  readonly markdown: string;
}

const WRITER = { permission: "write", role_name: "write" };
const READER = { permission: "read", role_name: "read" };

/** Bytes that no text decoder takes for text: a stand-in for an image. */
function binary(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 31 + seed * 7) % 256;
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  return bytes;
}

const README = [
  "# Website",
  "",
  "The source of the community website: pages in Markdown, images beside them.",
  "",
  "## Building",
  "",
  "Run the generator over this folder; it writes the site to `out/`.",
  "",
].join("\n");

const GUIDE = Array.from({ length: 24 }, (_, i) => `Step ${i + 1}: read the page and follow the link.`).join(
  "\n",
);

async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/**
 * Every kind of comment the bot posts, each produced the way the bot produces it: real targets and
 * patches on the operator's and the contributor's Kubo nodes, webhooks through the app, GitHub faked
 * with nock, and the bodies the app posted read back from the fake.
 */
export async function postEveryCommentKind(
  operator: KuboNode,
  contributor: KuboNode,
): Promise<PostedComment[]> {
  const work = await mkdtemp(join(tmpdir(), "nomad-patch-gallery-"));
  try {
    return await produce(operator, contributor, work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function produce(operator: KuboNode, contributor: KuboNode, work: string): Promise<PostedComment[]> {
  const site = {
    "README.md": README,
    "docs/guide.md": GUIDE,
    "docs/old-install.md": "Download the zip and unpack it.\n",
    "docs/faq.md": "# FAQ\n\nNothing yet.\n",
    "img/logo.png": binary(40_000, 1),
    "img/old-banner.png": binary(20_000, 2),
  };
  const website = await createStorageTarget(operator, { name: "Website", files: site });
  const project = await createProjectTarget(operator, {
    knownId: `gallery-project-${process.pid}`,
    name: "Nomad tools",
    description: "Tools for Nomad data.",
    features: ["sync", "offline", "beta"],
    links: [
      { Id: "home", Name: "Home", Url: "https://example.org/nomad-tools", Description: "" },
      {
        Id: "source",
        Name: "Source code",
        Url: "https://github.com/example-organisation/nomad-tools-for-windows-app-community/tree/main/src",
        Description: "Where the code lives",
      },
    ],
  });
  const conflicted = await createStorageTarget(operator, { name: "Docs", files: site });
  const ruled = await createProjectTarget(operator, {
    knownId: `gallery-ruled-${process.pid}`,
    name: "Ruled",
  });
  const large = await createStorageTarget(operator, {
    name: "Handbook",
    files: Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `chapters/chapter-${String(i + 1).padStart(2, "0")}.md`,
        Array.from(
          { length: 120 },
          (_, line) => `Chapter ${i + 1}, line ${line + 1}: the text as it was.`,
        ).join("\n"),
      ]),
    ),
  });

  const config = [
    "targets:",
    `  - id: ${website.id}`,
    "    module: storage",
    `  - id: ${large.id}`,
    "    module: storage",
    `  - id: ${conflicted.id}`,
    "    module: storage",
    `  - id: ${project.id}`,
    "    module: wac-project",
    `  - id: ${ruled.id}`,
    "    module: wac-project",
    "rules:",
    "  - name: categories are the moderators' call",
    "    match: { eventId: UpdateCategoryAsync }",
    "    action: reject",
    "    reason: Categories are chosen by the moderators; ask in the forum.",
  ].join("\n");
  const app = await startApp(operator.store, {
    config,
    permissions: { maintainer: WRITER, reader: READER },
  });
  const posted: PostedComment[] = [];
  let storagePatchKey = "";
  let issueNumber = 100;
  /** Posts `body` on a new issue and returns the issue; the bot's comments are read after `settle`. */
  const open = async (body: string) => {
    issueNumber += 1;
    const issue = { number: issueNumber, body };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    return issue;
  };
  const command = async (issue: { number: number; body: string }, text: string, by = "maintainer") => {
    await app.deliver("issue_comment", commentCreated(issue, text, by));
    await app.settle();
  };
  const bodies = (issue: { number: number }) => app.gh.botComments(issue.number).map((c) => c.body);
  const keep = (name: string, markdown: string | undefined) => {
    if (markdown === undefined) throw new Error(`the bot posted no comment for "${name}"`);
    posted.push({ name, markdown });
  };
  const byKind = (issue: { number: number }, kind: string, state?: string) =>
    bodies(issue).filter((b) => {
      const marker = parseMarker(b);
      return marker?.kind === kind && (state === undefined || marker.state === state);
    });

  try {
    // 1. Storage: files added, changed and removed, text and binary; then approved and applied.
    const edited = join(work, "website");
    await writeTree(edited, {
      "README.md": README.replace("Run the generator", "Run `npm run build`").concat(
        "## Security\n\nReport issues privately.\n",
      ),
      "docs/guide.md": GUIDE.replace("Step 3: read", "Step 3: skim"),
      "docs/install.md": "# Install\n\nRun the installer and follow the prompts.\n",
      "docs/faq.md": site["docs/faq.md"],
      "img/logo.png": binary(60_000, 3),
      "img/banner.png": binary(150_000, 4),
    });
    const storagePatch = await proposePatch(contributor, {
      target: website.id,
      title: "Install guide, build command and a new banner",
      description: "Replaces the old install page with a new one and updates the logo.",
      fromFolder: edited,
    });
    storagePatchKey = storagePatch.key;
    const storageIssue = await open(`Patch: ${storagePatch.key}`);
    keep("storage-review", byKind(storageIssue, "review")[0]);
    await command(storageIssue, "/apply");
    keep("applied", byKind(storageIssue, "status", "applied")[0]);

    // 2. A WindowsAppCommunity project: a renamed project, a feature removed, a link changed and added.
    const value = (update: Parameters<typeof putValueUpdate>[1]) => putValueUpdate(contributor.store, update);
    const projectPatch = await proposePatch(contributor, {
      target: project.id,
      title: "Rename, drop the beta feature, fix the source link",
      entries: [
        { eventId: "UpdateNameAsync", content: await value({ value: "Nomad Tools" }) },
        { eventId: "RemoveFeatureAsync", content: await value({ value: "beta" }) },
        {
          eventId: "UpdateDescriptionAsync",
          content: await value({
            value: "Tools for Nomad data: export a folder, edit it, and propose the change to its owner.",
          }),
        },
        {
          eventId: "RemoveLinkAsync",
          content: await value({
            key: "source",
            value: {
              Id: "source",
              Name: "Source code",
              Url: "https://github.com/example-organisation/nomad-tools-for-windows-app-community/tree/main/src",
              Description: "Where the code lives",
            },
          }),
        },
        {
          eventId: "AddLinkAsync",
          content: await value({
            key: "docs",
            value: {
              Id: "docs",
              Name: "Documentation",
              Url: "https://example-organisation.github.io/nomad-tools-for-windows-app-community/docs/getting-started/installing-on-windows",
              Description: "",
            },
          }),
        },
      ],
    });
    const projectIssue = await open(`Patch: ${projectPatch.key}`);
    keep("project-review", byKind(projectIssue, "review")[0]);

    // 3. Voided: the key moves after the review, then someone approves the version they did not see.
    await repointPatch(contributor, { key: projectPatch.key, title: "Rename only, for now" });
    await command(projectIssue, "/apply");
    keep("voided", byKind(projectIssue, "status", "voided")[0]);
    keep("review-of-a-new-version", byKind(projectIssue, "review").at(-1));
    // The first review, edited once the second was posted, so that no approval binds to it.
    keep("superseded", byKind(projectIssue, "review", "superseded")[0]);

    // 4. Refused by a rule of the repository.
    const ruledPatch = await proposePatch(contributor, {
      target: ruled.id,
      title: "Move to the Games category",
      entries: [{ eventId: "UpdateCategoryAsync", content: await value({ value: "Games" }) }],
    });
    const ruledIssue = await open(`Patch: ${ruledPatch.key}`);
    keep("refused-by-rule-review", byKind(ruledIssue, "review")[0]);
    keep("refused-by-rule", byKind(ruledIssue, "status", "rejected")[0]);
    // A maintainer approves anyway: the rule does not say `overridable: true`, so only an admin may.
    await command(ruledIssue, "/apply");
    keep("approval-refused-by-rule", bodies(ruledIssue).at(-1));

    // 5. Refused by nomad-patch itself: an entry that would add a source (pair a device).
    const intruder = await contributor.store.generateKey(`gallery-intruder-${process.pid}`);
    const sourceAdd = await proposePatch(contributor, {
      target: ruled.id,
      title: "Let me help maintain this",
      entries: [
        { eventId: "UpdateNameAsync", content: await value({ value: "Ruled, helped" }) },
        // What pairing writes: the new source's name as a bare string block.
        { eventId: "NomadEventStreamSourceAddEvent", content: intruder.id },
      ],
    });
    const sourceIssue = await open(`Patch: ${sourceAdd.key}`);
    keep("refused-built-in-review", byKind(sourceIssue, "review")[0]);
    keep("refused-built-in", byKind(sourceIssue, "status", "rejected")[0]);
    // A maintainer approves it anyway: there is nothing to approve, and the reply says why.
    await command(sourceIssue, "/apply");
    keep("nothing-to-approve", bodies(sourceIssue).at(-1));
    // Someone without the permission to approve tries anyway.
    await command(sourceIssue, "/apply", "reader");
    keep("denied", bodies(sourceIssue).at(-1));

    // 6. Large: 40 files changed, more than one comment can hold.
    const handbook = join(work, "handbook");
    await writeTree(
      handbook,
      Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [
          `chapters/chapter-${String(i + 1).padStart(2, "0")}.md`,
          Array.from(
            { length: 120 },
            (_, line) => `Chapter ${i + 1}, line ${line + 1}: the text as it is now.`,
          ).join("\n"),
        ]),
      ),
    );
    const largePatch = await proposePatch(contributor, {
      target: large.id,
      title: "Reword every chapter",
      fromFolder: handbook,
    });
    const largeIssue = await open(`Patch: ${largePatch.key}`);
    keep("large-review", byKind(largeIssue, "review")[0]);

    // 7. A conflict: the operator added a section to README.md after the contributor's base.
    const conflictDir = join(work, "conflict");
    await writeTree(conflictDir, {
      ...site,
      "README.md": README.replace("Run the generator", "Run the site generator"),
    });
    const conflictPatch = await proposePatch(contributor, {
      target: conflicted.id,
      title: "Say which generator",
      fromFolder: conflictDir,
    });
    const securityReadme = await operator.store.addFile(
      new TextEncoder().encode(`${README}## Security\n\nReport issues privately to the maintainers.\n`),
      { pin: true },
    );
    await appendEntries(
      { store: operator.store },
      {
        target: conflicted.id,
        entries: [
          {
            targetId: conflicted.ids["README.md"] ?? "",
            eventId: FILE_UPDATE,
            content: encodeFileUpdateEvent({
              storableItemId: conflicted.ids["README.md"] ?? "",
              newContentId: securityReadme,
            }),
          },
        ],
        publish: testPublish,
      },
    );
    const conflictIssue = await open(`Patch: ${conflictPatch.key}`);
    keep("conflict-review", byKind(conflictIssue, "review")[0]);

    // 8. Failures: keys that are not patch requests.
    const failureIssue = await open(`Patch: ${website.id}\nPatch: ${project.id}`);
    keep("failures", bodies(failureIssue).at(-1));

    if (app.failures.length > 0) throw new Error(`the app failed: ${String(app.failures[0])}`);
  } finally {
    await app.stop();
  }

  // 9. The likeliest first sight of the bot: installed on a repository before `.github/nomad-patch.yml`
  // was committed, where a contributor already posts a patch.
  const unconfigured = await startApp(operator.store, {});
  try {
    const issue = { number: 200, body: `Patch: ${storagePatchKey}` };
    await unconfigured.deliver("issues", issueOpened(issue));
    await unconfigured.settle();
    const comments = unconfigured.gh.botComments(issue.number).map((c) => c.body);
    keep(
      "config-missing",
      comments.find((b) => parseMarker(b)?.state === "config-error"),
    );
    if (unconfigured.failures.length > 0)
      throw new Error(`the app failed: ${String(unconfigured.failures[0])}`);
  } finally {
    await unconfigured.stop();
  }
  return posted;
}
