import { describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/review-markdown.js";
import { fieldsReview, genericReview, refusedReview, storageReview } from "./scenarios.js";

const options = { approveLabel: "nomad-patch: approve", commands: ["/apply", "/approve"] };

describe("renderReviewMarkdown", () => {
  it("shows a Storage review as a tree with per-file diffs", () => {
    expect(renderReviewMarkdown(storageReview(), options)).toMatchInlineSnapshot(`
      "<!-- nomad-patch:review {"v":1,"key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk","result":"bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi","target":"k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r","state":"ready"} -->

      ### Patch request: Docs: add a guide, fix the readme

      **✅ Ready to apply.** An approval applies exactly the change shown here.

      **Website** (storage): 2 added · 2 changed · 1 removed · 1 binary · 1 no effect

      **To approve** this version, comment \`/apply bafyreijbk7bzh4i62bb\` or add the label \`nomad-patch: approve\`.

      <details>
      <summary>Identifiers</summary>

      - **Target:** \`k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r\` (storage, Website)
      - **Patch key:** \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`
      - **Patch CID:** \`bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk\`: the version reviewed here; an approval binds to it, and counts only when given after this comment
      - **Predicted result:** \`bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi\`
      - **Base:** \`bafyrein2rwuxzxlg3xo5qdd3jf4ufgtocyvxw6rqztc2eivmnnflsmyhxp\` (the target's version the author saw)
      - **Proposed by:** \`k51qzi5uqu5dz3vsz0os2xj6is764ierwg8whonk1aglut01pxjvwt6j0t95bc\` (the contributor's devices)
      - **Entries:** 4 entries touching 4 targets: 1 added, 1 changed, 1 removed, 1 no effect.

      </details>

      #### Files and folders

      \`\`\`diff
      + docs/
      +   guide.md
        img/
      !   logo.png  (binary)
      - old.txt
      ! readme.md
      \`\`\`

      #### Description

      > Adds a **getting started** guide.
      >
      > Also removes \`old.txt\`.

      #### File diffs

      <details open>
      <summary><code>docs/guide.md</code> added, +2 −0</summary>

      \`\`\`diff
      --- /dev/null
      +++ docs/guide.md
      @@ -0,0 +1,2 @@
      +# Guide
      +Start here.
      \`\`\`

      </details>

      <details open>
      <summary><code>readme.md</code> changed, +1 −1</summary>

      \`\`\`diff
      --- readme.md
      +++ readme.md
      @@ -1 +1 @@
      -Helo
      +Hello
      \`\`\`

      </details>

      #### Files without a text diff

      - \`old.txt\` removed · CID \`bafyreikspxakfz23bkvmdco52bbpezoautcvm7aovrl7pc7ahizwzfbq5f\` · [view before](https://ipfs.io/ipfs/bafyreikspxakfz23bkvmdco52bbpezoautcvm7aovrl7pc7ahizwzfbq5f)
      - \`img/logo.png\` changed: binary

      #### Entries

      | # | EventId | Item | Effect | Reason |
      | ---: | --- | --- | --- | --- |
      | 0 | \`CreateFileInFolderEvent\` | \`docs/guide.md\` | ➕ added |  |
      | 1 | \`FileUpdateEvent\` | \`readme.md\` | ✏️ changed |  |
      | 2 | \`DeleteFromFolderEvent\` | \`old.txt\` | 🗑️ removed |  |
      | 3 | \`FileUpdateEvent\` | \`img/logo.png\` | ➖ no effect | already so |

      <details>
      <summary>JSON diff of the target state (4 lines)</summary>

      \`\`\`diff
       {
      -  "Files": 3
      +  "Files": 4
       }
      \`\`\`

      </details>

      <sub>Reviewed 2026-01-02T03:04:05.000Z. In a terminal: \`nomad-patch show k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`</sub>"
    `);
  });

  it("shows a value module's review as a field table", () => {
    expect(renderReviewMarkdown(fieldsReview(), options)).toMatchInlineSnapshot(`
      "<!-- nomad-patch:review {"v":1,"key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk","result":"bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi","target":"k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r","state":"ready"} -->

      ### Patch request: Rename the project and add a link

      **✅ Ready to apply.** An approval applies exactly the change shown here.

      **Nomad Tools** (wac-project): 1 added · 1 changed · 1 removed · 1 no effect

      **To approve** this version, comment \`/apply bafyreijbk7bzh4i62bb\` or add the label \`nomad-patch: approve\`.

      <details>
      <summary>Identifiers</summary>

      - **Target:** \`k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r\` (wac-project, Nomad Tools)
      - **Patch key:** \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`
      - **Patch CID:** \`bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk\`: the version reviewed here; an approval binds to it, and counts only when given after this comment
      - **Predicted result:** \`bafyrei7zglyz6d3x3zzu4xaq7nqlouujt57v5lmxud4qytaamjrhjhg7qi\`
      - **Base:** \`bafyrein2rwuxzxlg3xo5qdd3jf4ufgtocyvxw6rqztc2eivmnnflsmyhxp\` (the target's version the author saw)
      - **Proposed by:** \`k51qzi5uqu5dz3vsz0os2xj6is764ierwg8whonk1aglut01pxjvwt6j0t95bc\` (the contributor's devices)
      - **Entries:** 3 entries touching 1 target: 1 added, 1 changed, 1 no effect.

      </details>

      #### Field changes

      | Field | Change |
      | --- | --- |
      | \`Name\` | \`"Nomad tools"\` → \`"Nomad Tools"\` |
      | \`Links[docs]\` | added: \`Docs\` · \`https://example.org/docs\` |
      | \`Features[2]\` | removed: \`"beta"\` |

      #### Entries

      | # | EventId | Item | Effect | Reason |
      | ---: | --- | --- | --- | --- |
      | 0 | \`UpdateNameAsync\` | \`Name\` | ✏️ changed |  |
      | 1 | \`AddLinkAsync\` | \`Links[docs]\` | ➕ added |  |
      | 2 | \`UpdateDescriptionAsync\` | \`Description\` | ➖ no effect | the description is already this text |

      <details>
      <summary>JSON diff of the target state (2 lines)</summary>

      \`\`\`diff
      -  "Name": "Nomad tools",
      +  "Name": "Nomad Tools",
      \`\`\`

      </details>

      <sub>Reviewed 2026-01-02T03:04:05.000Z. In a terminal: \`nomad-patch show k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`</sub>"
    `);
  });

  it("shows a refused review with the entry it refuses and nothing to approve", () => {
    expect(renderReviewMarkdown(refusedReview(), options)).toMatchInlineSnapshot(`
      "<!-- nomad-patch:review {"v":1,"key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk","result":null,"target":"k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r","state":"refused"} -->

      ### Patch request: Let me help

      **⛔ Refused.** This patch can never be applied as it is; see the reasons below.

      **k51qzi5uqu5dskj…** (wac-project): 1 changed · 1 refused

      **Refused:**
      - Entry 1 (\`NomadEventStreamSourceAddEvent\`): NomadEventStreamSourceAddEvent is reserved: a patch can never add a source.

      **Nothing to approve:** refused entries are never applied; publish a fixed version under the same key, then comment \`/refresh\`.

      <details>
      <summary>Identifiers</summary>

      - **Target:** \`k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r\` (wac-project)
      - **Patch key:** \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`
      - **Patch CID:** \`bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk\`: the version reviewed here; an approval binds to it, and counts only when given after this comment
      - **Base:** \`bafyrein2rwuxzxlg3xo5qdd3jf4ufgtocyvxw6rqztc2eivmnnflsmyhxp\` (the target's version the author saw)
      - **Proposed by:** \`k51qzi5uqu5dz3vsz0os2xj6is764ierwg8whonk1aglut01pxjvwt6j0t95bc\` (the contributor's devices)
      - **Entries:** 2 entries touching 1 target: 1 changed, 1 refused.

      </details>

      #### Field changes

      | Field | Change |
      | --- | --- |
      | \`Name\` | \`"A"\` → \`"B"\` |

      #### Entries

      | # | EventId | Item | Effect | Reason |
      | ---: | --- | --- | --- | --- |
      | 0 | \`NameUpdateEvent\` | \`(target)\` | ✏️ changed |  |
      | 1 | \`NomadEventStreamSourceAddEvent\` | \`(target)\` | ⛔ refused | listed under **Refused** |

      <sub>Reviewed 2026-01-02T03:04:05.000Z. In a terminal: \`nomad-patch show k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`</sub>"
    `);
  });

  it("shows an unknown module's entries with their content and says the effect cannot be previewed", () => {
    expect(renderReviewMarkdown(genericReview(), options)).toMatchInlineSnapshot(`
      "<!-- nomad-patch:review {"v":1,"key":"k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x","cid":"bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk","result":null,"target":"k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r","state":"cannot-predict"} -->

      ### Patch request: Tweak settings

      **❔ Cannot predict.** The effect of some entries cannot be previewed, so this patch cannot be applied.

      **k51qzi5uqu5dskj…** (generic): 2 entries whose effect cannot be previewed

      > [!WARNING]
      > - The target moved since this patch was written: the diff is against its current state.
      > - This node only reads the target (it lacks the roaming key): it can preview but not apply.

      **Nothing to approve:** an approval binds to a predicted result, and this patch's result cannot be predicted.

      <details>
      <summary>Identifiers</summary>

      - **Target:** \`k51qzi5uqu5dskj7aqicq98h48ukvi2e1rnon5vc5mtdlufvskvf36vusxbz4r\` (generic)
      - **Patch key:** \`k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`
      - **Patch CID:** \`bafyreijbk7bzh4i62bbnu3nivp4fy7sob3v42qjxomifbup7b2jkf4mjgk\`: the version reviewed here; an approval binds to it, and counts only when given after this comment
      - **Predicted result:** _cannot be predicted_
      - **Base:** \`bafyreibmr4wqdalzee3jwezddttnftvvedeuwxoh7efuvgyqcqrl5h7rpt\` (the target's version the author saw)
      - **Proposed by:** \`k51qzi5uqu5dz3vsz0os2xj6is764ierwg8whonk1aglut01pxjvwt6j0t95bc\` (the contributor's devices)
      - **Entries:** 2 entries touching 1 target: 0 changed, 2 unknown.

      </details>

      #### Effect

      ❔ The effect cannot be previewed: The generic module cannot fold these EventIds.

      #### Entry contents

      <details>
      <summary>Entry 0: <code>SetThemeAsync</code> on <code>(target)</code></summary>

      \`\`\`json
      {
        "Theme": "dark"
      }
      \`\`\`

      </details>

      <details>
      <summary>Entry 1: <code>SetFontAsync</code> on <code>(target)</code></summary>

      \`\`\`json
      // content unreachable
      \`\`\`

      </details>

      #### Entries

      | # | EventId | Item | Effect | Reason |
      | ---: | --- | --- | --- | --- |
      | 0 | \`SetThemeAsync\` | \`(target)\` | ❔ unknown | unknown module |
      | 1 | \`SetFontAsync\` | \`(target)\` | ❔ unknown | content unreachable |

      _No JSON diff: the effect cannot be previewed._

      <sub>Reviewed 2026-01-02T03:04:05.000Z. In a terminal: \`nomad-patch show k51qzi5uqu5ddtevttfsoa69lpondoh30pgviehz94yc9rik4xl4j35mdmdk0x\`</sub>"
    `);
  });
});
