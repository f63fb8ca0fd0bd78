// Mermaid on demand. Material for MkDocs calls mermaid.initialize() and mermaid.render() only on
// pages that have a diagram, and would fetch Mermaid from a CDN if no `mermaid` global existed.
// This stand-in is that global: it loads the site's own copy (3.5 MB) when a diagram comes near
// the viewport, and after any checklist on the page has finished loading. Drawing is one long
// task (about half a second for two diagrams here), so it must not land on a page without
// diagrams, compete with the checklist's start, or block the reader's first answers while the
// diagrams are still far below.
(() => {
  const source = new URL("vendor/mermaid.min.js", document.currentScript.src).href;
  let options = {};
  let loading = null;

  function checklistSettled() {
    const busy = () => document.querySelector('[data-checklist][data-state="loading"]');
    if (!busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        watch.disconnect();
        resolve();
      };
      const watch = new MutationObserver(() => busy() || done());
      watch.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
      setTimeout(done, 15_000);
    });
  }

  function nearViewport() {
    const diagrams = [...document.querySelectorAll("pre.mermaid")];
    if (!diagrams.length || !("IntersectionObserver" in window)) return Promise.resolve();
    return new Promise((resolve) => {
      const watch = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) {
            watch.disconnect();
            resolve();
          }
        },
        { rootMargin: "600px 0px" },
      );
      diagrams.forEach((diagram) => watch.observe(diagram));
    });
  }

  function load() {
    loading ??= Promise.all([checklistSettled(), nearViewport()]).then(
      () =>
        new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = source;
          script.onload = () => {
            window.mermaid.initialize(options); // the real Mermaid has replaced this stand-in
            resolve(window.mermaid);
          };
          script.onerror = () => {
            document.documentElement.classList.add("diagrams-failed"); // theme.css: the source shows again
            reject(new Error(`Mermaid could not be loaded from ${source}`));
          };
          document.head.append(script);
        }),
    );
    return loading;
  }

  // Readable on a phone: a drawing is shrunk to the column's width, but never below MIN_SCALE of
  // its own size (Mermaid's 16 px text stays at least 12 px). A drawing wider than that scrolls
  // sideways in its own box, which is then a labelled region the keyboard can reach and scroll
  // (WCAG 2.1.1, axe scrollable-region-focusable), with a visible hint. The drawing keeps its
  // accessible name and description (accTitle, accDescr). Material puts what render() returns in
  // a shadow root, so the styles travel with it.
  const MIN_SCALE = 0.75;
  const STYLE = `<style>
    .diagram-scroll { overflow-x: auto; overscroll-behavior-x: contain; }
    .diagram-scroll > svg { display: block; margin-inline: auto; }
    .diagram-scroll[role="region"] { border: 1px solid var(--md-default-fg-color--lighter, currentcolor); border-radius: 0.1rem; }
    .diagram-scroll:focus-visible { outline: 2px solid var(--md-accent-fg-color, currentcolor); outline-offset: 2px; }
    .diagram-hint { margin: 0 0 0.4em; font-size: 0.7rem; color: var(--md-default-fg-color); font-family: var(--md-text-font-family, sans-serif); }
    .diagram-hint[hidden] { display: none; }
  </style>`;

  function readable(svg) {
    const template = document.createElement("template");
    template.innerHTML = svg;
    const drawing = template.content.querySelector("svg");
    const width = Number((drawing?.getAttribute("viewBox") || "").split(/[\s,]+/)[2]);
    if (!width) return svg;
    drawing.removeAttribute("height");
    drawing.style.maxWidth = "none";
    drawing.style.height = "auto";
    drawing.style.width = `max(min(100%, ${width}px), ${Math.ceil(width * MIN_SCALE)}px)`;
    const hint = "Wider than the page: scroll it sideways, or focus it and use the arrow keys.";
    return `${STYLE}<p class="diagram-hint" hidden>${hint}</p><div class="diagram-scroll">${drawing.outerHTML}</div>`;
  }

  // Once drawn (Material calls `fn` with the shadow root in the page): the box becomes a focusable,
  // labelled region only while it actually scrolls, so a drawing that fits adds no Tab stop.
  function watchOverflow(root) {
    const box = root.querySelector(".diagram-scroll");
    if (!box) return;
    const hint = root.querySelector(".diagram-hint");
    const name = root.querySelector("svg > title")?.textContent.trim() || "Diagram";
    const update = () => {
      const wide = box.scrollWidth > box.clientWidth + 1;
      hint.hidden = !wide;
      if (wide) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", `${name} (scrolls sideways)`);
      } else {
        ["tabindex", "role", "aria-label"].forEach((attribute) => box.removeAttribute(attribute));
      }
    };
    update();
    if ("ResizeObserver" in window) new ResizeObserver(update).observe(box);
  }

  window.mermaid = {
    initialize(config) {
      // Drawn at their own size; readable() scales them to the column (Mermaid's default would
      // shrink a 2,000 px flowchart to 2 px text on a phone).
      options = { ...config, flowchart: { ...config.flowchart, useMaxWidth: false } };
    },
    render(id, text) {
      return load()
        .then((mermaid) => mermaid.render(id, text))
        .then(({ svg, fn, ...rest }) => ({
          ...rest,
          svg: readable(svg),
          fn: (root) => {
            fn?.(root);
            watchOverflow(root);
          },
        }));
    },
  };
})();
