// Material's header opens the navigation drawer and, on narrow screens, the search through
// <label>s for hidden checkboxes. A mouse can use them; the keyboard cannot reach them (WCAG
// 2.1.1), and the closed panels' links and input stay in the Tab order while off screen, so focus
// lands on things nobody can see (WCAG 2.4.7). Each label gets a real button in its place, kept
// in step with its checkbox, and a closed panel leaves the Tab order where it is off screen.
// In the open drawer the levels follow the focus, and the focus leaving the drawer closes it; the
// colour-scheme switch takes the focus from either direction.

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

// In the drawer, Material shows one level of the navigation at a time: a section's links slide in
// over the level above when the section's checkbox is checked (it opens on the current section).
// The other levels' links stay in the Tab order, hidden under the open level or slid out of the
// drawer (WCAG 2.4.11), and the labels that switch levels take no focus. So the drawer follows the
// focus: the levels that hold the focused link open, the others close.
const LEVEL_TOGGLES = `${DRAWER} .md-nav__toggle`;

function levelOf(toggle) {
  return toggle.parentElement.querySelector(":scope > nav");
}

function followFocus(target) {
  for (const toggle of document.querySelectorAll(LEVEL_TOGGLES)) {
    const level = levelOf(toggle);
    const open = Boolean(level?.contains(target));
    if (toggle.checked === open) continue;
    toggle.checked = open;
    if (level?.hasAttribute("aria-expanded")) level.setAttribute("aria-expanded", String(open)); // as Material does on a click
  }
  // Focusing a link that was slid out scrolled the drawer sideways to it; the level now slides in.
  for (let box = target.parentElement; box; box = box.parentElement) if (box.scrollLeft) box.scrollLeft = 0;
}

// The first link of the level the drawer opens on: the innermost open one.
function firstShown(panel) {
  const open = [...document.querySelectorAll(LEVEL_TOGGLES)].filter((toggle) => toggle.checked).map(levelOf);
  const level = open.filter((nav) => nav && !open.some((other) => other !== nav && nav.contains(other))).pop() ?? panel;
  return level?.querySelector(":scope > .md-nav__list > .md-nav__item > a[href]") ?? panel?.querySelector("a[href]");
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
const drawerMedia = matchMedia(PANELS[0].narrow);
document.addEventListener("focusin", (event) => {
  if (!drawerMedia.matches) return;
  if (event.target.closest?.(DRAWER)) followFocus(event.target);
  else if (document.getElementById("__drawer")?.checked && !event.target.closest?.('[data-toggle="__drawer"]')) {
    document.getElementById("__drawer").click(); // focus left the open drawer: close it, or focus sits under its overlay
  }
});

// Material draws its colour-scheme switch as the label after the active scheme's radio input, but
// leaves every input unchecked until the reader switches: Shift+Tab then lands on the last input,
// whose label is hidden (WCAG 2.4.7). Checking the active one, as a switch would, puts both Tab
// directions on the drawn switch.
function checkActiveScheme() {
  for (const input of document.querySelectorAll('input[name="__palette"]')) {
    if (input.nextElementSibling && !input.nextElementSibling.hidden) input.checked = true;
  }
}
// Material opens and closes panels itself too (on navigation, on "/"), without a change event.
window.document$?.subscribe?.(() => {
  syncs.forEach((sync) => sync());
  checkActiveScheme();
});
