"""Every page fits a 320 px wide phone and a window zoomed to 200 %: nothing scrolls sideways but
labelled table regions made for it, and no form control is cut off or lies on top of another.

WCAG 2.1 1.4.10 (reflow) and 1.4.4 (resize text). A 1280 px wide window at 200 % zoom lays pages
out as a 640 px wide one with twice the pixels, which is what the second viewport is.
"""

from __future__ import annotations

import pytest

from tests.browser.screens import screen_params

pytestmark = [pytest.mark.browser]

# (name, CSS pixels): a phone, and a 1280 px wide window at 200 % zoom. Zoom changes how many CSS pixels
# fit, which is what layout depends on; the page is resized in place, as when a person zooms.
SIZES = (("phone-320", {"width": 320, "height": 640}), ("zoom-200", {"width": 640, "height": 400}))

# Returns what a person would find wrong, in words; an empty list when the page reflows well.
LAYOUT_PROBLEMS = """() => {
  const root = document.scrollingElement;
  const width = root.clientWidth;
  const problems = [];
  if (root.scrollWidth > width + 1) {
    problems.push(`the page scrolls sideways: ${root.scrollWidth} px of content in ${width} px`);
  }
  for (const element of [document.documentElement, document.body]) {
    if (["hidden", "clip"].includes(getComputedStyle(element).overflowX)) {
      problems.push(`${element.tagName} hides what does not fit instead of reflowing it`);
    }
  }
  const describe = (element) => {
    const text = (element.textContent || element.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return element.id ? `#${element.id}` : `${element.tagName.toLowerCase()} "${text}"`;
  };
  const shown = (element) => {
    // checkVisibility also says no for what a closed <details> holds, which still has a layout box.
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && element.checkVisibility({visibilityProperty: true});
  };

  // Anything that scrolls sideways must be a table region made for it: labelled and reachable by keyboard.
  for (const element of document.body.querySelectorAll("*")) {
    const overflow = getComputedStyle(element).overflowX;
    if (["auto", "scroll"].includes(overflow) && element.scrollWidth > element.clientWidth + 1) {
      const labelled = element.hasAttribute("aria-label") || element.hasAttribute("aria-labelledby");
      if (!element.matches(".table-scroll[role=region][tabindex='0']") || !labelled) {
        problems.push(`${describe(element)} scrolls sideways but is not a labelled, focusable table region`);
      }
    }
  }

  const controls = [...document.querySelectorAll(
    "input:not([type=hidden]), select, textarea, button, summary"
  )].filter(shown);
  for (const control of controls) {
    const box = control.getBoundingClientRect();
    if (control.closest(".table-scroll")) continue;  // reached by scrolling its region
    if (box.left < -1 || box.right > width + 1) {
      problems.push(`${describe(control)} reaches outside the window (${Math.round(box.left)} to ${Math.round(box.right)} of ${width} px)`);
    }
    for (let parent = control.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const frame = parent.getBoundingClientRect();
      if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
        problems.push(`${describe(control)} is cut off by ${describe(parent)}`);
      }
    }
  }
  for (let i = 0; i < controls.length; i++) {
    const a = controls[i].getBoundingClientRect();
    for (let j = i + 1; j < controls.length; j++) {
      if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
      const b = controls[j].getBoundingClientRect();
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 1 && down > 1) {
        problems.push(`${describe(controls[i])} and ${describe(controls[j])} overlap`);
      }
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("screen", screen_params())
def test_the_page_reflows_without_sideways_scrolling_or_clipped_controls(browser, site, screen):
    context = site.context(browser, screen, viewport=SIZES[0][1], device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        if screen.prepare:
            screen.prepare(page)
        found = []
        for name, size in SIZES:
            page.set_viewport_size(size)
            found += [f"at {name}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
        assert not found, f"{page.url}\n" + "\n".join(found)
    finally:
        context.close()
