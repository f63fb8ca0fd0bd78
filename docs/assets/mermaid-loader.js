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

  window.mermaid = {
    initialize(config) {
      options = config;
    },
    render(id, text) {
      return load().then((mermaid) => mermaid.render(id, text));
    },
  };
})();
