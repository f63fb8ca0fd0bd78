// Material's header opens the navigation drawer and, on narrow screens, the search through
// <label>s for hidden checkboxes. A mouse can use them; the keyboard cannot reach them (WCAG
// 2.1.1), and the closed panels' links and input stay in the Tab order while off screen, so focus
// lands on things nobody can see (WCAG 2.4.7). Each label gets a real button in its place, kept
// in step with its checkbox, and a closed panel leaves the Tab order where it is off screen.

const DRAWER = ".md-sidebar--primary";
const SEARCH_INPUT = ".md-search__input";

const PANELS = [
  {
    toggle: "__drawer",
    name: "Navigation",
    narrow: "(max-width: 76.234375em)", // where the sidebar becomes a drawer
    hide: (closed) => setProperty(DRAWER, "inert", closed), // instant navigation may replace it
    first: () => firstShown(document.querySelector(DRAWER)),
  },
  {
    toggle: "__search",
    name: "Search",
    narrow: "(max-width: 59.984375em)", // where the search box folds away
    // No Tab stop while folded, but still focusable for Material's own "/" and "s" keys.
    hide: (closed) => setProperty(SEARCH_INPUT, "tabIndex", closed ? -1 : 0),
    first: () => document.querySelector(SEARCH_INPUT),
  },
];

function setProperty(selector, key, value) {
  const element = document.querySelector(selector);
  if (element && element[key] !== value) element[key] = value;
}

// The first link the drawer shows: Material opens it on the current section, with the levels
// above slid aside (measured against the drawer, which is still sliding in).
function firstShown(panel) {
  const box = panel?.getBoundingClientRect();
  return [...(panel?.querySelectorAll("a[href]") ?? [])].find((element) => {
    const { left, width } = element.getBoundingClientRect();
    return width > 0 && left >= box.left && left < box.right;
  });
}

function enhance({ toggle: id, name, narrow, hide, first }) {
  const toggle = document.getElementById(id);
  const label = document.querySelector(`.md-header__button[for="${id}"]`);
  if (!toggle || !label) return null;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "md-header__button md-icon header-toggle";
  button.dataset.toggle = id;
  button.setAttribute("aria-label", name);
  button.append(...[...label.childNodes].map((node) => node.cloneNode(true))); // the theme's icon
  label.hidden = true;
  label.after(button);
  const media = matchMedia(narrow);
  const sync = () => {
    button.setAttribute("aria-expanded", String(toggle.checked));
    hide(media.matches && !toggle.checked);
  };
  button.addEventListener("click", () => {
    toggle.click(); // as the label would: Material reacts to the checkbox's change event
    sync();
    if (toggle.checked) first()?.focus();
  });
  for (const [target, type] of [[toggle, "change"], [media, "change"], [document, "focusin"]]) target.addEventListener(type, sync);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !toggle.checked || !media.matches) return;
    setTimeout(() => { // after Material's own handler, which closes the search (not the drawer)
      if (toggle.checked) toggle.click();
      sync();
      button.focus();
    });
  });
  sync();
  return sync;
}

const syncs = PANELS.map(enhance).filter(Boolean);
// Material opens and closes panels itself too (on navigation, on "/"), without a change event.
window.document$?.subscribe?.(() => syncs.forEach((sync) => sync()));
