// Safe actions (issue 11, item 6). An irreversible step asks first: a form with data-confirm submits only after
// the person says yes. A form once sent is not sent again while its answer is on the way: its buttons are
// disabled and say so, and a second submit (a double click, Enter twice) is dropped. The server answers a repeat
// anyway (zhicheng.cases.repeats); this spares the clerk the second round trip.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  if (form.dataset.sending === "1") {
    event.preventDefault();
    return;
  }
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.method.toLowerCase() !== "post" || form.target === "_blank" || form.hasAttribute("data-no-lock")) {
    return;
  }
  form.dataset.sending = "1";
  form.setAttribute("aria-busy", "true");
  // Disabled after the browser has collected the form's values, so that the pressed button's name still goes.
  window.setTimeout(() => {
    for (const button of form.querySelectorAll("button, input[type=submit]")) {
      button.disabled = true;
      if (button instanceof HTMLButtonElement) {
        button.dataset.label = button.textContent || "";
        button.textContent = "正在提交……";
      }
    }
  }, 0);
});

// A page brought back from the browser's cache (the Back button) is usable again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) {
    return;
  }
  for (const form of document.querySelectorAll("form[data-sending]")) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button, input[type=submit]")) {
      button.disabled = false;
      if (button instanceof HTMLButtonElement && button.dataset.label !== undefined) {
        button.textContent = button.dataset.label;
      }
    }
  }
});
