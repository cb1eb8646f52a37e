/*! Portside chat widget. Embed on any page:
 *  <script src="https://HOST/widget.js" data-portside-url="https://HOST" data-language="es"
 *          data-customer-token="..." data-accent="#0a7" data-store-name="My Store"></script>
 * Plain JS, no build step, no third-party requests. Renders inside an open Shadow DOM. */
(function () {
  'use strict';
  if (window.Portside && window.Portside.version) return;

  const script = document.currentScript ||
    Array.from(document.querySelectorAll('script[src]')).reverse().find((s) => /widget\.js(\?|#|$)/.test(s.src));
  const ds = (script && script.dataset) || {};
  const scriptOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  const BASE = new URL(ds.portsideUrl || scriptOrigin, location.href).href.replace(/\/+$/, '');
  const WS_BASE = BASE.replace(/^http/, 'ws');
  const TOKEN = ds.customerToken || '';
  const STORE_NAME = ds.storeName || '';
  const ACCENT = /^(#[0-9a-f]{3,8}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\))$/i.test(ds.accent || '') ? ds.accent : '#1f6feb';
  const KEY = 'portside:' + BASE;

  // ---------------------------------------------------------------- strings (17 languages)
  const KEYS = ('title placeholder send close open typing joined joinedName confirm cancel label sources order eta ' +
    'rate thanks reconnecting end refund status ret exch tracking total error choices').split(' ');
  const L = {
    en: 'Help|Type your message…|Send|Close|Chat with us|typing…|A person has joined|{name} has joined|Confirm|Cancel|Download return label|Sources|Order|Estimated delivery|Rate this conversation|Thanks for your feedback!|Connection lost, reconnecting…|End chat|Refund|Status|Return|Exchange|Tracking|Total|Sorry, something went wrong. Please try again.|Suggested replies',
    es: 'Ayuda|Escribe tu mensaje…|Enviar|Cerrar|Chatea con nosotros|escribiendo…|Una persona se ha unido|{name} se ha unido|Confirmar|Cancelar|Descargar etiqueta de devolución|Fuentes|Pedido|Entrega estimada|Valora esta conversación|¡Gracias por tu opinión!|Conexión perdida, reconectando…|Terminar chat|Reembolso|Estado|Devolución|Cambio|Seguimiento|Total|Lo siento, algo salió mal. Inténtalo de nuevo.|Respuestas sugeridas',
    pt: 'Ajuda|Digite sua mensagem…|Enviar|Fechar|Fale conosco|digitando…|Uma pessoa entrou na conversa|{name} entrou na conversa|Confirmar|Cancelar|Baixar etiqueta de devolução|Fontes|Pedido|Entrega prevista|Avalie esta conversa|Obrigado pelo seu feedback!|Conexão perdida, reconectando…|Encerrar chat|Reembolso|Status|Devolução|Troca|Rastreamento|Total|Desculpe, algo deu errado. Tente novamente.|Respostas sugeridas',
    fr: "Aide|Écrivez votre message…|Envoyer|Fermer|Discuter avec nous|en train d'écrire…|Une personne a rejoint la conversation|{name} a rejoint la conversation|Confirmer|Annuler|Télécharger l'étiquette de retour|Sources|Commande|Livraison estimée|Évaluez cette conversation|Merci pour votre avis !|Connexion perdue, reconnexion…|Terminer le chat|Remboursement|Statut|Retour|Échange|Suivi|Total|Désolé, une erreur s'est produite. Veuillez réessayer.|Réponses suggérées",
    de: 'Hilfe|Nachricht eingeben…|Senden|Schließen|Chatten Sie mit uns|schreibt…|Eine Person ist dem Chat beigetreten|{name} ist dem Chat beigetreten|Bestätigen|Abbrechen|Rücksendeetikett herunterladen|Quellen|Bestellung|Voraussichtliche Lieferung|Bewerten Sie dieses Gespräch|Danke für Ihr Feedback!|Verbindung verloren, verbinde neu…|Chat beenden|Erstattung|Status|Rücksendung|Umtausch|Sendungsverfolgung|Gesamt|Entschuldigung, etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.|Antwortvorschläge',
    it: "Aiuto|Scrivi il tuo messaggio…|Invia|Chiudi|Chatta con noi|sta scrivendo…|Una persona si è unita alla chat|{name} si è unito alla chat|Conferma|Annulla|Scarica l'etichetta di reso|Fonti|Ordine|Consegna prevista|Valuta questa conversazione|Grazie per il tuo feedback!|Connessione persa, riconnessione…|Termina chat|Rimborso|Stato|Reso|Cambio|Tracciamento|Totale|Spiacenti, qualcosa è andato storto. Riprova.|Risposte suggerite",
    nl: 'Hulp|Typ je bericht…|Verzenden|Sluiten|Chat met ons|typt…|Er neemt een medewerker deel aan het gesprek|{name} neemt deel aan het gesprek|Bevestigen|Annuleren|Retourlabel downloaden|Bronnen|Bestelling|Verwachte levering|Beoordeel dit gesprek|Bedankt voor je feedback!|Verbinding verbroken, opnieuw verbinden…|Chat beëindigen|Terugbetaling|Status|Retour|Ruil|Volgen|Totaal|Sorry, er ging iets mis. Probeer het opnieuw.|Voorgestelde antwoorden',
    pl: 'Pomoc|Napisz wiadomość…|Wyślij|Zamknij|Czat z nami|pisze…|Konsultant dołączył do rozmowy|{name} dołącza do rozmowy|Potwierdź|Anuluj|Pobierz etykietę zwrotną|Źródła|Zamówienie|Przewidywana dostawa|Oceń tę rozmowę|Dziękujemy za opinię!|Utracono połączenie, ponowne łączenie…|Zakończ czat|Zwrot pieniędzy|Status|Zwrot|Wymiana|Śledzenie|Suma|Przepraszamy, coś poszło nie tak. Spróbuj ponownie.|Sugerowane odpowiedzi',
    tr: 'Yardım|Mesajınızı yazın…|Gönder|Kapat|Bize yazın|yazıyor…|Bir temsilci sohbete katıldı|{name} sohbete katıldı|Onayla|İptal|İade etiketini indir|Kaynaklar|Sipariş|Tahmini teslimat|Bu görüşmeyi değerlendirin|Geri bildiriminiz için teşekkürler!|Bağlantı kesildi, yeniden bağlanılıyor…|Sohbeti bitir|Geri ödeme|Durum|İade|Değişim|Kargo takibi|Toplam|Üzgünüz, bir sorun oluştu. Lütfen tekrar deneyin.|Önerilen yanıtlar',
    ru: 'Помощь|Введите сообщение…|Отправить|Закрыть|Напишите нам|печатает…|К чату присоединился сотрудник|{name} теперь в чате|Подтвердить|Отмена|Скачать этикетку для возврата|Источники|Заказ|Ожидаемая доставка|Оцените этот разговор|Спасибо за отзыв!|Соединение потеряно, переподключение…|Завершить чат|Возврат средств|Статус|Возврат|Обмен|Отслеживание|Итого|Извините, что-то пошло не так. Попробуйте ещё раз.|Варианты ответа',
    ar: 'مساعدة|اكتب رسالتك…|إرسال|إغلاق|تحدث معنا|يكتب…|انضم أحد الموظفين إلى المحادثة|انضم {name} إلى المحادثة|تأكيد|إلغاء|تنزيل ملصق الإرجاع|المصادر|الطلب|موعد التسليم المتوقع|قيّم هذه المحادثة|شكرًا على ملاحظاتك!|انقطع الاتصال، جارٍ إعادة الاتصال…|إنهاء المحادثة|المبلغ المسترد|الحالة|الإرجاع|الاستبدال|التتبع|الإجمالي|عذرًا، حدث خطأ ما. يُرجى المحاولة مرة أخرى.|ردود مقترحة',
    zh: '帮助|输入您的消息…|发送|关闭|联系我们|正在输入…|人工客服已加入|{name} 已加入对话|确认|取消|下载退货标签|来源|订单|预计送达|为本次对话评分|感谢您的反馈！|连接已断开，正在重新连接…|结束对话|退款|状态|退货|换货|物流跟踪|合计|抱歉，出了点问题。请重试。|建议回复',
    ja: 'ヘルプ|メッセージを入力…|送信|閉じる|チャットで問い合わせ|入力中…|担当者が参加しました|{name} が参加しました|確定|キャンセル|返品ラベルをダウンロード|参考情報|注文|お届け予定日|この会話を評価してください|ご意見ありがとうございます！|接続が切れました。再接続しています…|チャットを終了|返金|ステータス|返品|交換|配送状況|合計|申し訳ありません。問題が発生しました。もう一度お試しください。|返信の候補',
    ko: '도움말|메시지를 입력하세요…|보내기|닫기|채팅 상담|입력 중…|상담원이 참여했습니다|{name}님이 참여했습니다|확인|취소|반품 라벨 다운로드|출처|주문|예상 배송일|이 상담을 평가해 주세요|의견을 보내 주셔서 감사합니다!|연결이 끊어졌습니다. 다시 연결하는 중…|채팅 종료|환불|상태|반품|교환|배송 조회|합계|죄송합니다. 문제가 발생했습니다. 다시 시도해 주세요.|추천 답변',
    id: 'Bantuan|Ketik pesan Anda…|Kirim|Tutup|Chat dengan kami|sedang mengetik…|Seorang staf telah bergabung|{name} telah bergabung|Konfirmasi|Batal|Unduh label retur|Sumber|Pesanan|Perkiraan tiba|Beri nilai percakapan ini|Terima kasih atas masukan Anda!|Koneksi terputus, menyambungkan ulang…|Akhiri chat|Pengembalian dana|Status|Retur|Penukaran|Lacak|Total|Maaf, terjadi kesalahan. Silakan coba lagi.|Balasan yang disarankan',
    vi: 'Trợ giúp|Nhập tin nhắn…|Gửi|Đóng|Trò chuyện với chúng tôi|đang nhập…|Một nhân viên đã tham gia|{name} đã tham gia|Xác nhận|Hủy|Tải nhãn trả hàng|Nguồn|Đơn hàng|Dự kiến giao|Đánh giá cuộc trò chuyện này|Cảm ơn bạn đã góp ý!|Mất kết nối, đang kết nối lại…|Kết thúc trò chuyện|Hoàn tiền|Trạng thái|Trả hàng|Đổi hàng|Theo dõi|Tổng|Xin lỗi, đã xảy ra lỗi. Vui lòng thử lại.|Câu trả lời gợi ý',
    th: 'ช่วยเหลือ|พิมพ์ข้อความ…|ส่ง|ปิด|แชทกับเรา|กำลังพิมพ์…|เจ้าหน้าที่เข้าร่วมแชทแล้ว|{name} เข้าร่วมแชทแล้ว|ยืนยัน|ยกเลิก|ดาวน์โหลดฉลากส่งคืน|แหล่งข้อมูล|คำสั่งซื้อ|วันที่คาดว่าจะได้รับ|ให้คะแนนการสนทนานี้|ขอบคุณสำหรับความคิดเห็น!|การเชื่อมต่อขาดหาย กำลังเชื่อมต่อใหม่…|จบการแชท|เงินคืน|สถานะ|การคืนสินค้า|การเปลี่ยนสินค้า|ติดตามพัสดุ|ยอดรวม|ขออภัย เกิดข้อผิดพลาด โปรดลองอีกครั้ง|คำตอบที่แนะนำ',
  };
  const YES_NO = {
    en: ['yes', 'no'], es: ['sí', 'no'], pt: ['sim', 'não'], fr: ['oui', 'non'], de: ['ja', 'nein'], it: ['sì', 'no'],
    nl: ['ja', 'nee'], pl: ['tak', 'nie'], tr: ['evet', 'hayır'], ru: ['да', 'нет'], ar: ['نعم', 'لا'], zh: ['是', '否'],
    ja: ['はい', 'いいえ'], ko: ['네', '아니요'], id: ['ya', 'tidak'], vi: ['có', 'không'], th: ['ใช่', 'ไม่'],
  };
  const RTL = new Set(['ar']);
  const strings = {};
  for (const [lang, row] of Object.entries(L)) {
    const parts = row.split('|');
    strings[lang] = Object.fromEntries(KEYS.map((k, i) => [k, parts[i] || '']));
  }
  const norm = (l) => { const c = String(l || '').toLowerCase().slice(0, 2); return strings[c] ? c : null; };
  let lang = norm(ds.language) || norm(navigator.language) || 'en';
  const t = (k, vars) => (strings[lang][k] || strings.en[k]).replace(/\{(\w+)\}/g, (_, v) => (vars && vars[v]) || '');

  // ---------------------------------------------------------------- persisted state
  const S = (() => {
    try { return JSON.parse(localStorage.getItem(KEY) || '{}') || {}; } catch (e) { return {}; }
  })();
  S.outbox = Array.isArray(S.outbox) ? S.outbox : [];
  if (S.token && S.token !== TOKEN) { // another shopper (or signed out) on this device: never show their chat
    S.sid = null; S.after = 0; S.outbox = []; S.open = false;
  }
  S.token = TOKEN;
  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify({ sid: S.sid || null, after: S.after || 0, outbox: S.outbox,
        open: !!S.open, token: S.token }));
    } catch (e) { /* private mode: memory only */ }
  }
  save();

  // ---------------------------------------------------------------- helpers
  const uuid = () => {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(b);
    else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const UNESC = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ESC[c]);
  const unesc = (s) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => UNESC[e]);
  function safeUrl(raw) {
    raw = String(raw || '').trim();
    if (!raw) return null;
    if (raw[0] === '/' && raw[1] !== '/') return BASE + raw; // server paths (e.g. return labels)
    try {
      const u = new URL(raw);
      return /^(https?|mailto):$/.test(u.protocol) ? u.href : null;
    } catch (e) { return null; }
  }
  const link = (href, label) => `<a href="${esc(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
  const bold = (s) => s.replace(/\*\*([^*\n]+?)\*\*/g, '<strong>$1</strong>');
  function inline(s) { // s is already HTML-escaped
    const links = [];
    const hold = (html) => { links.push(html); return `\u0000${links.length - 1}\u0000`; };
    s = s.replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (m, label, url) => {
      const href = safeUrl(unesc(url));
      return href ? hold(link(href, bold(label))) : m;
    });
    s = s.replace(/\bhttps?:\/\/[^\s<\u0000]*[^\s<\u0000.,;:!?)\]'*]/g, (url) => {
      const href = safeUrl(unesc(url));
      return href ? hold(link(href, url)) : url;
    });
    return bold(s).replace(/\u0000(\d+)\u0000/g, (_, i) => links[+i]);
  }
  function markdown(text) {
    let html = '', list = null, para = [];
    const flush = () => { if (para.length) html += `<p>${para.map(inline).join('<br>')}</p>`; para = []; };
    const close = () => { if (list) html += `</${list}>`; list = null; };
    for (const line of esc(text).split(/\r?\n/)) {
      let m;
      if ((m = /^\s*[-•]\s+(.*)$/.exec(line)) || (m = /^\s*\*\s+(.*)$/.exec(line))) {
        flush();
        if (list !== 'ul') { close(); html += '<ul>'; list = 'ul'; }
        html += `<li>${inline(m[1])}</li>`;
      } else if ((m = /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(line))) {
        flush();
        if (list !== 'ol') { close(); html += `<ol start="${m[1]}">`; list = 'ol'; }
        html += `<li>${inline(m[2])}</li>`;
      } else if (!line.trim()) { flush(); close(); } else { close(); para.push(line); }
    }
    flush(); close();
    return html;
  }
  function fmtDate(iso) {
    if (!iso) return '';
    try {
      const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
      return new Intl.DateTimeFormat(lang, dateOnly ? { dateStyle: 'medium', timeZone: 'UTC' } : { dateStyle: 'medium' })
        .format(new Date(iso));
    } catch (e) { return String(iso).slice(0, 10); }
  }
  function fmtMoney(amount, currency) {
    if (amount == null) return '';
    try { return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(amount); } catch (e) {
      return `${amount} ${currency || ''}`.trim();
    }
  }
  const humanize = (s) => String(s || '').replace(/_/g, ' ');
  function onAccent(color) { // readable text colour on the accent
    const c = document.createElement('canvas').getContext && document.createElement('canvas').getContext('2d');
    if (!c) return '#fff';
    c.fillStyle = color;
    const hex = c.fillStyle;
    if (!/^#[0-9a-f]{6}$/i.test(hex)) return '#fff';
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#111' : '#fff';
  }

  // ---------------------------------------------------------------- DOM
  const STYLE = `
:host{all:initial!important;display:block!important;position:fixed!important;right:0!important;bottom:0!important;
  width:0!important;height:0!important;margin:0!important;padding:0!important;border:0!important;z-index:2147483000!important}
[hidden]{display:none!important}
.ps{--accent:${ACCENT};--on-accent:${onAccent(ACCENT)};--focus:#1a73e8;--muted:#5b6472;--line:#e3e6eb;
  font:14.5px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;
  color:#1d2430;-webkit-font-smoothing:antialiased;text-align:start}
.ps *,.ps *::before,.ps *::after{box-sizing:border-box}
button{font:inherit;cursor:pointer}
:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
.launcher{position:fixed;bottom:20px;right:20px;width:58px;height:58px;border-radius:50%;border:0;padding:0;
  background:var(--accent);color:var(--on-accent);box-shadow:0 6px 20px rgba(0,0,0,.25);display:grid;place-items:center;
  transition:transform .15s}
.launcher:hover{transform:scale(1.05)}
.ps[dir=rtl] .launcher{right:auto;left:20px}
.badge{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#d93025;
  color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}
.panel{position:fixed;bottom:90px;right:20px;width:380px;max-width:calc(100vw - 40px);height:min(640px,calc(100vh - 110px));
  background:#fff;border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.22);display:flex;flex-direction:column;overflow:hidden}
.ps[dir=rtl] .panel{right:auto;left:20px}
header{background:var(--accent);color:var(--on-accent);padding:12px 10px 12px 16px;display:flex;align-items:center;gap:6px;flex:none}
.ps[dir=rtl] header{padding:12px 16px 12px 10px}
header :focus-visible{outline-color:currentColor}
.hd{flex:1;min-width:0}
.hd-title{display:block;font-weight:650;font-size:15.5px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.hd-sub{display:flex;align-items:center;gap:6px;font-size:12.5px;opacity:.92;white-space:nowrap;overflow:hidden}
.dot{width:8px;height:8px;border-radius:50%;background:#4ade80;box-shadow:0 0 0 2px rgba(255,255,255,.6);flex:none}
.hbtn{background:transparent;color:inherit;border:1px solid currentColor;border-radius:8px;padding:3px 9px;font-size:12.5px;
  opacity:.9;white-space:nowrap}
.hbtn:hover{opacity:1}
.close{background:transparent;color:inherit;border:0;width:34px;height:34px;border-radius:8px;display:grid;place-items:center;padding:0}
.close:hover{background:rgba(255,255,255,.15)}
.conn{background:#fff4d6;color:#6b4e00;font-size:12.5px;padding:6px 12px;text-align:center;flex:none}
.log{flex:1;overflow-y:auto;overflow-x:hidden;padding:14px 12px;display:flex;flex-direction:column;gap:8px;background:#f5f6f8;
  overscroll-behavior:contain}
.hist{display:contents}
.row{display:flex;flex-direction:column;align-items:flex-start;max-width:86%;align-self:flex-start;min-width:0}
.row.shopper{align-self:flex-end;align-items:flex-end}
.bubble{padding:9px 13px;border-radius:16px;background:#fff;border:1px solid var(--line);overflow-wrap:anywhere;max-width:100%;
  white-space:normal}
.row.assistant .bubble,.row.staff .bubble{border-end-start-radius:5px}
.row.shopper .bubble{background:var(--accent);color:var(--on-accent);border-color:transparent;border-end-end-radius:5px;
  white-space:pre-wrap}
.row.pending .bubble{opacity:.65}
.row.staff .bubble{background:#eaf3ff;border-color:#cfe2ff}
.who{font-size:11.5px;color:var(--muted);margin:0 8px 2px}
.bubble p{margin:0}.bubble p+p,.bubble p+ul,.bubble p+ol,.bubble ul+p,.bubble ol+p{margin-top:6px}
.bubble ul,.bubble ol{margin:4px 0;padding-inline-start:20px}
.bubble a{color:#0a58ca;text-decoration:underline}
.row.shopper .bubble a{color:inherit}
.system{align-self:center;font-size:12px;color:var(--muted);text-align:center;max-width:92%}
.system.err{color:#a1261b}
.banner{align-self:center;font-size:12.5px;background:#e3f5eb;color:#0f5c3a;padding:4px 12px;border-radius:999px;text-align:center}
.cites{font-size:12px;color:var(--muted);margin:4px 8px 0;display:flex;flex-wrap:wrap;gap:2px 8px}
.cites a{color:#0a58ca}
.card{margin-top:6px;background:#fff;border:1px solid var(--line);border-radius:12px;padding:10px 12px;font-size:13.5px;
  width:100%;min-width:min(230px,100%);box-shadow:0 1px 2px rgba(0,0,0,.04)}
.card-h{display:flex;align-items:center;gap:6px;flex-wrap:wrap;margin-bottom:4px}
.card-h b{font-weight:650}
.pill{margin-inline-start:auto;background:#eef1f4;border-radius:999px;padding:1px 9px;font-size:12px;white-space:nowrap}
.card ul{margin:4px 0;padding-inline-start:18px}
.card .ship{border-top:1px dashed var(--line);margin-top:6px;padding-top:6px}
.muted{color:var(--muted)}
.kv{display:flex;justify-content:space-between;gap:8px;flex-wrap:wrap}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.btn{font-size:13.5px;padding:6px 16px;border-radius:999px;border:1px solid var(--accent);background:#fff;color:var(--accent)}
.btn.primary{background:var(--accent);color:var(--on-accent)}
.btn:disabled{opacity:.5;cursor:default}
.btns{display:flex;gap:8px;margin-top:6px;flex-wrap:wrap}
.quick{margin-top:8px;max-width:100%}
.btn.qr{padding:6px 14px;line-height:1.3;text-align:start;white-space:normal;overflow-wrap:anywhere;max-width:100%}
.btn.qr:hover{background:color-mix(in srgb,var(--accent) 10%,#fff)}
.btn.qr:focus-visible{outline:2px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 4px #fff}
a.btn{display:inline-block;text-decoration:none;margin-top:8px}
.typing-row .bubble{display:flex;gap:4px;padding:13px 14px}
.typing-row i{width:7px;height:7px;border-radius:50%;background:#9aa3af;animation:ps-b 1.2s infinite ease-in-out}
.typing-row i:nth-child(2){animation-delay:.15s}.typing-row i:nth-child(3){animation-delay:.3s}
@keyframes ps-b{0%,80%,100%{transform:translateY(0);opacity:.45}40%{transform:translateY(-4px);opacity:1}}
.csat{align-self:stretch;max-width:none;align-items:center;text-align:center;background:#fff;border:1px solid var(--line);
  border-radius:12px;padding:10px}
.stars{display:flex;gap:2px;justify-content:center}
.star{background:none;border:0;color:#c3c8d0;font-size:24px;line-height:1;padding:2px 4px;border-radius:6px}
.star:hover,.star.on{color:#f5a623}
form{display:flex;gap:8px;padding:10px;border-top:1px solid var(--line);background:#fff;align-items:flex-end;flex:none;margin:0}
textarea{flex:1;min-width:0;resize:none;font:inherit;color:inherit;background:#fff;border:1px solid #d3d8df;border-radius:12px;
  padding:9px 12px;min-height:40px;max-height:120px;line-height:1.35;margin:0}
textarea:focus{border-color:var(--accent);outline:none;box-shadow:0 0 0 3px color-mix(in srgb,var(--accent) 25%,transparent)}
.send{width:40px;height:40px;border-radius:50%;border:0;padding:0;background:var(--accent);color:var(--on-accent);display:grid;
  place-items:center;flex:none;font-size:14px}
.send:disabled{opacity:.5}
.ps[dir=rtl] .send svg{transform:scaleX(-1)}
@media (prefers-reduced-motion:reduce){.typing-row i{animation:none}.launcher{transition:none}}
@media (max-width:480px){
  .panel,.ps[dir=rtl] .panel{inset:0;width:100%;max-width:none;height:100%;border-radius:0}
  .ps.open .launcher{display:none}
}`;
  const ICON_CHAT = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-5A8 8 0 1 1 21 12z"/></svg>';
  const ICON_DOWN = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" ' +
    'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M6 9l6 6 6-6"/></svg>';
  const ICON_X = '<svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" ' +
    'stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';
  const ICON_SEND = '<svg width="18" height="18" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">' +
    '<path d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z"/></svg>';

  const host = document.createElement('portside-chat');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${STYLE}</style>
<div class="ps" part="root">
  <button class="launcher" type="button" aria-expanded="false">${ICON_CHAT}<span class="badge" hidden></span></button>
  <section class="panel" role="dialog" hidden>
    <header>
      <div class="hd"><span class="hd-title"></span><span class="hd-sub"><span class="dot" hidden></span><span class="hd-sub-t"></span></span></div>
      <button class="hbtn end" type="button" hidden></button>
      <button class="close" type="button">${ICON_X}</button>
    </header>
    <div class="conn" role="status" hidden></div>
    <div class="log" role="log" aria-live="polite" aria-relevant="additions"><div class="hist"></div></div>
    <form novalidate><textarea rows="1" enterkeyhint="send"></textarea><button class="send" type="submit">${ICON_SEND}</button></form>
  </section>
</div>`;
  const $ = (sel) => root.querySelector(sel);
  const el = {
    ps: $('.ps'), launcher: $('.launcher'), badge: $('.badge'), panel: $('.panel'), title: $('.hd-title'),
    sub: $('.hd-sub-t'), dot: $('.dot'), end: $('.end'), close: $('.close'), conn: $('.conn'), log: $('.log'),
    hist: $('.hist'), form: $('form'), input: $('textarea'), send: $('.send'),
  };
  const mk = (tag, cls, html) => { const n = document.createElement(tag); if (cls) n.className = cls; if (html != null) n.innerHTML = html; return n; };

  let agent = null; // name of the person who joined, while they hold the conversation
  function applyStrings() {
    const rtl = RTL.has(lang);
    el.ps.dir = rtl ? 'rtl' : 'ltr';
    el.panel.dir = el.ps.dir;
    el.panel.lang = lang;
    el.title.textContent = STORE_NAME || t('title');
    el.panel.setAttribute('aria-label', STORE_NAME ? `${STORE_NAME} – ${t('title')}` : t('title'));
    el.sub.textContent = agent ? t('joinedName', { name: agent }) : (STORE_NAME ? t('title') : '');
    el.dot.hidden = !agent;
    el.input.placeholder = t('placeholder');
    el.input.setAttribute('aria-label', t('placeholder'));
    el.send.setAttribute('aria-label', t('send')); el.send.title = t('send');
    el.close.setAttribute('aria-label', t('close')); el.close.title = t('close');
    el.end.textContent = t('end');
    el.conn.textContent = t('reconnecting');
    updateLauncher();
    if (typingRow) typingRow.setAttribute('aria-label', t('typing'));
    root.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
    root.querySelectorAll('[data-i18n-label]').forEach((n) => { n.setAttribute('aria-label', t(n.dataset.i18nLabel)); });
  }
  function setLang(l) {
    const n = norm(l);
    if (n && n !== lang) { lang = n; applyStrings(); }
  }

  // ---------------------------------------------------------------- rendering
  const seen = new Set(); // keys of rendered messages: c:<client_id>, m:<message id>, r:<client_id of a reply>
  let unread = 0;
  let typingRow = null, typingTimer = null;
  const nearBottom = () => el.log.scrollHeight - el.log.scrollTop - el.log.clientHeight < 120;
  const scroll = (force) => { if (force || nearBottom()) el.log.scrollTop = el.log.scrollHeight; };
  function append(node, where) {
    const stick = nearBottom();
    if (where) where.appendChild(node);
    else if (typingRow && typingRow.parentNode === el.log) el.log.insertBefore(node, typingRow);
    else el.log.appendChild(node);
    scroll(stick);
    return node;
  }
  function updateLauncher() {
    el.launcher.innerHTML = (S.open ? ICON_DOWN : ICON_CHAT) + `<span class="badge"${unread ? '' : ' hidden'}>${unread}</span>`;
    el.badge = el.launcher.querySelector('.badge');
    el.launcher.setAttribute('aria-label', S.open ? t('close') : (unread ? `${t('open')} (${unread})` : t('open')));
    el.launcher.setAttribute('aria-expanded', String(!!S.open));
  }
  function bump(live) {
    if (live && !S.open) { unread += 1; updateLauncher(); }
  }
  function showTyping(on, ms) {
    clearTimeout(typingTimer);
    if (!on) { if (typingRow) typingRow.remove(); typingRow = null; return; }
    if (!typingRow) {
      typingRow = mk('div', 'row assistant typing-row', '<div class="bubble"><i></i><i></i><i></i></div>');
      typingRow.setAttribute('role', 'status');
      typingRow.setAttribute('aria-label', t('typing'));
      append(typingRow);
    }
    typingTimer = setTimeout(() => showTyping(false), ms || 30000);
  }
  function systemLine(text, err) { return append(mk('div', err ? 'system err' : 'system', esc(text))); }
  function banner(name, where) { return append(mk('div', 'banner', esc(name ? t('joinedName', { name }) : t('joined'))), where); }

  function addShopper(text, key, opts) {
    const row = mk('div', 'row shopper' + (opts.pending ? ' pending' : ''));
    row.appendChild(mk('div', 'bubble')).textContent = text;
    if (key) { seen.add(key); row.dataset.key = key; }
    return append(row, opts.where);
  }
  function addAssistant(m, opts) { // m: {text, citations, actions, language, role, author}
    const row = opts.row || mk('div', `row ${m.role === 'staff' ? 'staff' : 'assistant'}`);
    row.classList.remove('typing-row');
    if (m.role === 'staff' && m.author && !row.querySelector('.who')) row.appendChild(mk('div', 'who', esc(m.author)));
    const bubble = row.querySelector('.bubble') || row.appendChild(mk('div', 'bubble'));
    bubble.innerHTML = markdown(m.text);
    if (opts.live || opts.canConfirm) clearQuick(); // only the latest reply offers quick replies
    decorate(row, m, opts);
    if (!opts.row) append(row, opts.where); else scroll();
    bump(opts.live);
    return row;
  }
  function decorate(row, m, opts) {
    const l = norm(m.language) || lang;
    for (const a of m.actions || []) {
      if (a.type === 'order_card' && a.order) row.appendChild(orderCard(a.order));
      else if ((a.type === 'return_draft' || a.type === 'exchange_draft') && a.rma_id) row.appendChild(returnCard(a));
    }
    const cites = (m.citations || []).filter((c) => safeUrl(c.url));
    if (cites.length) {
      const box = mk('div', 'cites', `<span data-i18n="sources">${esc(t('sources'))}</span>`);
      const done = new Set();
      for (const c of cites) {
        if (done.has(c.url)) continue;
        done.add(c.url);
        box.insertAdjacentHTML('beforeend', link(safeUrl(c.url), esc(c.title || c.url)));
      }
      row.appendChild(box);
    }
    const yn = opts.canConfirm ? confirmWords(m, l) : null;
    if (yn) {
      const box = mk('div', 'btns confirm');
      const yes = mk('button', 'btn primary'), no = mk('button', 'btn');
      yes.type = no.type = 'button';
      yes.dataset.i18n = 'confirm'; no.dataset.i18n = 'cancel';
      yes.textContent = t('confirm'); no.textContent = t('cancel');
      // The server's yes/no for this step, when it offers them: taken as the answer, not guessed from the word.
      const ask = m.ask && m.ask.step === 'confirm' ? m.ask : null;
      const pick = (v) => (ask && (ask.choices || []).some((c) => c && c.value === v) ? { step: 'confirm', value: v } : null);
      yes.onclick = () => { disableConfirms(); send(yn[0], pick('yes')); };
      no.onclick = () => { disableConfirms(); send(yn[1], pick('no')); };
      box.append(yes, no);
      row.appendChild(box);
    }
    if (opts.canConfirm && !(yn && m.ask && m.ask.step === 'confirm')) quickReplies(row, m.ask); // no second yes/no
  }
  // Quick replies: the choices the assistant offers for the step it waits for (ask.choices, labels already in the
  // conversation's language). A click sends the label as the message, with the choice's value for that step.
  function quickReplies(row, ask) {
    const choices = ask && Array.isArray(ask.choices) ? ask.choices.filter((c) => c && c.label != null && c.value != null) : [];
    if (!choices.length) return;
    const group = mk('div', 'btns quick');
    group.setAttribute('role', 'group');
    group.dataset.i18nLabel = 'choices';
    group.setAttribute('aria-label', t('choices'));
    for (const c of choices.slice(0, 24)) {
      const b = mk('button', 'btn qr');
      b.type = 'button';
      b.dir = 'auto';
      b.textContent = String(c.label);
      b.dataset.value = String(c.value);
      b.onclick = (e) => {
        const keyboard = e.detail === 0;
        send(String(c.label), ask.step ? { step: String(ask.step), value: String(c.value) } : null);
        // Keep the keyboard where the conversation goes on (not on touch screens: no surprise on-screen keyboard).
        if (keyboard || !(window.matchMedia && matchMedia('(pointer: coarse)').matches)) el.input.focus();
      };
      group.appendChild(b);
    }
    group.addEventListener('keydown', (e) => {
      const btns = Array.from(group.querySelectorAll('button'));
      const i = btns.indexOf(root.activeElement);
      if (i < 0) return;
      const fwd = el.ps.dir === 'rtl' ? 'ArrowLeft' : 'ArrowRight', back = el.ps.dir === 'rtl' ? 'ArrowRight' : 'ArrowLeft';
      let j = null;
      if (e.key === fwd || e.key === 'ArrowDown') j = (i + 1) % btns.length;
      else if (e.key === back || e.key === 'ArrowUp') j = (i - 1 + btns.length) % btns.length;
      else if (e.key === 'Home') j = 0;
      else if (e.key === 'End') j = btns.length - 1;
      if (j == null) return;
      e.preventDefault();
      btns[j].focus();
    });
    row.appendChild(group);
  }
  function clearQuick() { root.querySelectorAll('.quick').forEach((n) => n.remove()); }
  function confirmWords(m, l) {
    if ((m.actions || []).some((a) => a.type === 'confirm' || a.type === 'awaiting_confirmation')) return YES_NO[l] || YES_NO.en;
    const text = m.text || '';
    if (YES_NO[l] && text.includes(`**${YES_NO[l][0]}**`)) return YES_NO[l];
    for (const pair of Object.values(YES_NO)) {
      if (text.includes(`**${pair[0]}**`) && text.includes(`**${pair[1]}**`)) return pair;
    }
    return null;
  }
  function disableConfirms() { root.querySelectorAll('.confirm button').forEach((b) => { b.disabled = true; }); }
  function orderCard(o) {
    const card = mk('div', 'card order');
    card.dataset.order = o.order_id || '';
    const ships = o.shipments || [];
    const state = (ships[0] && ships[0].status_text) || humanize(o.status);
    let h = `<div class="card-h"><span class="muted" data-i18n="order">${esc(t('order'))}</span><b>${esc(o.order_id)}</b>` +
      `<span class="pill">${esc(state)}</span></div>`;
    if ((o.items || []).length) h += `<ul>${o.items.map((i) => `<li>${esc(i.quantity)} × ${esc(i.name)}</li>`).join('')}</ul>`;
    for (const s of ships) {
      h += `<div class="ship"><div>${esc(s.carrier)} · <code>${esc(s.tracking_number)}</code></div>`;
      if (ships.length > 1) h += `<div class="muted">${esc(s.status_text || humanize(s.status))}</div>`;
      if (s.estimated_delivery) {
        h += `<div class="kv"><span class="muted" data-i18n="eta">${esc(t('eta'))}</span><span>${esc(fmtDate(s.estimated_delivery))}</span></div>`;
      }
      h += '</div>';
    }
    if (o.total) h += `<div class="kv ship"><span class="muted" data-i18n="total">${esc(t('total'))}</span><b>${esc(o.total)}</b></div>`;
    card.innerHTML = h;
    return card;
  }
  function returnCard(a) {
    const card = mk('div', 'card rma');
    card.dataset.rma = a.rma_id;
    const kind = a.type === 'exchange_draft' ? 'exch' : 'ret';
    let h = `<div class="card-h"><span class="muted" data-i18n="${kind}">${esc(t(kind))}</span><b>${esc(a.rma_id)}</b>` +
      `<span class="pill status">${esc(humanize(a.status))}</span></div>`;
    if (a.type === 'return_draft' && a.refund_amount != null) {
      h += `<div class="kv"><span class="muted" data-i18n="refund">${esc(t('refund'))}</span><b>${esc(fmtMoney(a.refund_amount, a.currency))}</b></div>`;
    }
    if (a.order_id) h += `<div class="kv"><span class="muted" data-i18n="order">${esc(t('order'))}</span><span>${esc(a.order_id)}</span></div>`;
    const href = a.label_url && safeUrl(a.label_url);
    if (href) {
      h += `<a class="btn primary label" href="${esc(href)}" target="_blank" rel="noopener noreferrer" data-i18n="label">${esc(t('label'))}</a>`;
    }
    card.innerHTML = h;
    return card;
  }

  // A message from the server (history or pushed event). Returns the row, or null when already shown.
  function addMessage(m, opts) {
    const key = m.id != null ? `m:${m.id}` : null;
    if (key && seen.has(key)) return null;
    if (key) seen.add(key);
    if (m.role === 'shopper') return addShopper(m.text, null, opts);
    if (m.role === 'system') return systemLine(m.text);
    if (!m.text && !(m.actions || []).length) return null;
    return addAssistant(m, opts);
  }

  // ---------------------------------------------------------------- conversation flow
  const streams = new Map(); // client_id -> {row, text}
  function markDelivered(cid) {
    const row = cid && el.log.querySelector(`.row.shopper[data-key="c:${CSS.escape(cid)}"]`);
    if (row) row.classList.remove('pending');
  }
  function dropOutbox(cid) {
    const n = S.outbox.length;
    S.outbox = S.outbox.filter((i) => i.client_id !== cid);
    if (S.outbox.length !== n) save();
    busy();
  }
  // aria-busy while replies are awaited or streaming: screen readers announce the finished reply
  const busy = () => el.log.setAttribute('aria-busy', String(S.outbox.length > 0));
  function setSession(sid) {
    if (!sid || sid === S.sid) return;
    S.sid = sid; save();
    el.end.hidden = false;
    startSse();
  }
  function forgetSession() {
    S.sid = null; S.after = 0; S.csatDone = false; save();
    el.end.hidden = true;
    agent = null; applyStrings();
    if (es) { es.close(); es = null; }
  }
  function onChunk(f) {
    if (!f.client_id || seen.has(`r:${f.client_id}`)) return;
    let st = streams.get(f.client_id);
    if (!st) {
      showTyping(false);
      st = { row: append(mk('div', 'row assistant', '<div class="bubble"></div>')), text: '' };
      streams.set(f.client_id, st);
    }
    st.text += f.text || '';
    st.row.querySelector('.bubble').innerHTML = markdown(st.text);
    scroll();
  }
  function onReply(r) {
    const cid = r.client_id;
    if (cid) { dropOutbox(cid); markDelivered(cid); }
    const st = cid ? streams.get(cid) : null;
    if (cid) streams.delete(cid);
    if (r.session_id) setSession(r.session_id);
    if (cid && seen.has(`r:${cid}`)) { if (st) st.row.remove(); return; }
    if (cid) seen.add(`r:${cid}`);
    if (!inflightCount()) showTyping(false);
    if (r.language) setLang(r.language);
    if (!r.reply) { if (st) st.row.remove(); return; } // a person holds the conversation: the bot stays quiet
    addAssistant({ role: 'assistant', text: r.reply, citations: r.citations, actions: r.actions, language: r.language,
      ask: r.ask },
      { row: st && st.row, live: true, canConfirm: true });
    // The shopper said goodbye: ask how it went, as after a resolved handoff.
    if ((r.actions || []).some((a) => a.type === 'csat_prompt')) showCsat(false);
  }
  function onError(f) {
    if (f.client_id) {
      dropOutbox(f.client_id); markDelivered(f.client_id);
      const st = streams.get(f.client_id);
      if (st) { st.row.remove(); streams.delete(f.client_id); }
    }
    showTyping(false);
    if (f.code === 'not_found' && !f.client_id) { forgetSession(); return; } // stored session is gone
    if (f.code === 'forbidden' || (f.code === 'not_found' && f.client_id)) { // session of another shopper / deleted
      forgetSession(); restartSocket();
    }
    systemLine(t('error'), true);
  }
  function onEvent(ev) {
    if (!ev) return;
    if (ev.event_id) {
      if (S.after && ev.event_id <= S.after) return;
      S.after = ev.event_id; save();
    }
    const d = ev.data || {};
    if (ev.type === 'staff_message') {
      showTyping(false);
      joined(d.author);
      addMessage({ ...d, role: 'staff' }, { live: true });
    } else if (ev.type === 'handoff') {
      if (d.state === 'claimed') joined(d.agent);
      if (d.state === 'resolved') { agent = null; applyStrings(); csatSoon = true; setTimeout(() => { if (csatSoon) showCsat(false); }, 1500); }
    } else if (ev.type === 'message') {
      const row = addMessage({ role: 'assistant', ...d }, { live: true });
      if (row && (d.csat_prompt || csatSoon)) showCsat(false);
    } else if (ev.type === 'return') {
      root.querySelectorAll(`.card.rma[data-rma="${CSS.escape(String(d.rma_id || ''))}"] .status`)
        .forEach((n) => { n.textContent = humanize(d.status); });
    } else if (ev.type === 'typing' && d.from && d.from !== 'shopper') {
      showTyping(true, 6000);
    }
  }
  const joinedNames = new Set();
  function joined(name, where) {
    const key = name || '';
    if (!joinedNames.has(key)) { joinedNames.add(key); banner(name, where); }
    agent = name || agent || t('joined');
    applyStrings();
  }

  // CSAT: after a person resolved the handoff, or when the shopper ends the chat
  let csatSoon = false;
  function showCsat(ending) {
    csatSoon = false;
    const sid = S.sid;
    if (!sid || S.csatDone || root.querySelector('.csat')) { if (ending) endSession(); return; }
    const box = mk('div', 'row csat', `<div data-i18n="rate">${esc(t('rate'))}</div><div class="stars"></div>`);
    const stars = box.querySelector('.stars');
    for (let n = 1; n <= 5; n++) {
      const b = mk('button', 'star', '★');
      b.type = 'button';
      b.setAttribute('aria-label', `${n}/5`);
      b.onmouseenter = () => stars.querySelectorAll('.star').forEach((s, i) => s.classList.toggle('on', i < n));
      b.onclick = async () => {
        stars.querySelectorAll('.star').forEach((s, i) => { s.disabled = true; s.classList.toggle('on', i < n); });
        try {
          await fetch(`${BASE}/v1/sessions/${encodeURIComponent(sid)}/csat`, {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ score: n }) });
        } catch (e) { /* best effort */ }
        box.innerHTML = `<div class="thanks" data-i18n="thanks">${esc(t('thanks'))}</div>`;
        if (sid === S.sid) S.csatDone = true;
      };
      stars.appendChild(b);
    }
    stars.onmouseleave = () => stars.querySelectorAll('.star').forEach((s) => s.classList.remove('on'));
    append(box);
    scroll(true);
    if (ending) endSession();
  }
  function endSession() { // the next message starts a new conversation
    forgetSession();
    streams.clear();
    restartSocket();
  }

  function send(text, choice) {
    text = String(text == null ? '' : text).trim();
    if (!text) return false;
    disableConfirms();
    clearQuick(); // used, or the shopper wrote something else: the next reply brings its own
    const item = { client_id: uuid(), text: text.slice(0, 4000) };
    if (choice && choice.step && choice.value) item.choice = { step: choice.step, value: choice.value };
    S.outbox.push(item); save(); busy();
    addShopper(item.text, `c:${item.client_id}`, { pending: true });
    scroll(true);
    deliver();
    return true;
  }

  // ---------------------------------------------------------------- transport: WebSocket, else HTTP + SSE
  let ws = null, wsFails = 0, attempt = 0, retryTimer = null, mode = 'ws', es = null, lastTyping = 0, historyDone = false;
  const sentOn = new WeakMap(); // socket -> Set of client_ids sent on it
  const inflightCount = () => S.outbox.length;
  function setConn(ok) { el.conn.hidden = ok; }
  function deliver() {
    if (mode === 'http') { flushHttp(); return; }
    if (ws && ws.readyState === 1) flushWs(ws); else connect();
  }
  function frame(item) {
    const f = { type: 'message', message: item.text, client_id: item.client_id };
    if (item.choice) f.choice = item.choice;
    if (S.sid) f.session_id = S.sid;
    if (TOKEN) f.customer_token = TOKEN;
    return JSON.stringify(f);
  }
  function flushWs(sock) {
    const sent = sentOn.get(sock);
    for (const item of S.outbox) {
      if (sent.has(item.client_id)) continue;
      try { sock.send(frame(item)); sent.add(item.client_id); } catch (e) { return; }
    }
  }
  function connect() {
    if (!historyDone) return; // boot connects once the stored conversation is drawn
    if (mode === 'http') { flushHttp(); startSse(); return; }
    if (ws || retryTimer) return;
    if (typeof WebSocket === 'undefined') { fallback(); return; }
    const q = S.sid ? `?session_id=${encodeURIComponent(S.sid)}&after=${S.after || 0}` : '';
    let sock;
    try { sock = new WebSocket(`${WS_BASE}/v1/chat/ws${q}`); } catch (e) {
      wsFails += 1;
      if (wsFails >= 3) fallback(); else scheduleRetry();
      return;
    }
    ws = sock;
    sentOn.set(sock, new Set());
    let opened = false;
    sock.onopen = () => { opened = true; wsFails = 0; attempt = 0; setConn(true); flushWs(sock); };
    sock.onmessage = (e) => {
      let f;
      try { f = JSON.parse(e.data); } catch (err) { return; }
      if (f.type === 'session') setSession(f.session_id);
      else if (f.type === 'typing') { markDelivered(f.client_id); showTyping(true); } else if (f.type === 'chunk') onChunk(f);
      else if (f.type === 'reply') onReply(f);
      else if (f.type === 'event') onEvent(f.event);
      else if (f.type === 'error') onError(f);
    };
    sock.onclose = () => {
      if (ws === sock) ws = null;
      if (sock.restart) { connect(); return; }
      if (!opened) wsFails += 1;
      streams.forEach((st) => st.row.remove()); streams.clear(); // the resend brings the whole reply again
      showTyping(false);
      if (wsFails >= 3) { fallback(); return; }
      setConn(false);
      scheduleRetry();
    };
  }
  function scheduleRetry() {
    if (retryTimer) return;
    const base = Math.min(8000, 500 * 2 ** attempt);
    attempt += 1;
    const delay = Math.min(8000, base * (0.7 + Math.random() * 0.6));
    retryTimer = setTimeout(() => { retryTimer = null; connect(); }, delay);
  }
  function restartSocket() {
    if (mode === 'http') return;
    if (ws) { ws.restart = true; ws.close(); } // onclose reconnects at once, without the old session
  }
  function fallback() {
    mode = 'http';
    setConn(true);
    flushHttp();
    startSse();
  }
  let httpBusy = false;
  async function flushHttp() {
    if (httpBusy) return;
    httpBusy = true;
    try {
      while (S.outbox.length) {
        const item = S.outbox[0];
        showTyping(true);
        let res;
        try {
          const body = { message: item.text, client_id: item.client_id };
          if (item.choice) body.choice = item.choice;
          if (S.sid) body.session_id = S.sid;
          if (TOKEN) body.customer_token = TOKEN;
          res = await fetch(`${BASE}/v1/chat`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body) });
        } catch (e) { // offline: keep the message, try again later
          setConn(false);
          showTyping(false);
          setTimeout(() => { if (S.outbox.length) flushHttp(); }, Math.min(8000, 500 * 2 ** Math.min(attempt++, 4)));
          return;
        }
        attempt = 0;
        setConn(true);
        const data = await res.json().catch(() => ({}));
        if (!res.ok) {
          const err = data.error || {};
          if (res.status === 429) { await new Promise((r) => setTimeout(r, 2000)); continue; }
          onError({ client_id: item.client_id, code: err.code || 'error', message: err.message });
        } else {
          onReply({ ...data, client_id: item.client_id });
        }
        dropOutbox(item.client_id);
      }
    } finally { httpBusy = false; showTyping(false); }
  }
  function startSse() {
    if (mode !== 'http' || !S.sid || (es && es.sid === S.sid) || typeof EventSource === 'undefined') return;
    if (es) es.close();
    es = new EventSource(`${BASE}/v1/sessions/${encodeURIComponent(S.sid)}/events?after=${S.after || 0}`);
    es.sid = S.sid;
    for (const kind of ['staff_message', 'handoff', 'message', 'return', 'typing']) {
      es.addEventListener(kind, (e) => { try { onEvent(JSON.parse(e.data)); } catch (err) { /* ignore */ } });
    }
  }
  window.addEventListener('online', () => {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; attempt = 0; connect(); }
  });

  // ---------------------------------------------------------------- history after a reload
  async function loadHistory() {
    if (!S.sid) return;
    let s;
    try {
      const res = await fetch(`${BASE}/v1/sessions/${encodeURIComponent(S.sid)}`);
      if (res.status === 404) { forgetSession(); return; }
      if (!res.ok) return;
      s = await res.json();
    } catch (e) { return; }
    if (s.language) setLang(s.language);
    S.csatDone = s.csat != null;
    el.end.hidden = false;
    const msgs = s.messages || [];
    const lastAssistant = msgs.length && ['assistant'].includes(msgs[msgs.length - 1].role) ? msgs[msgs.length - 1] : null;
    let lastStaff = null;
    for (const m of msgs) {
      if (m.role === 'staff') { joined(m.author, el.hist); lastStaff = m.author; }
      const ask = m === lastAssistant ? (m.ask || s.ask) : null; // what the assistant waits for: quick replies again
      addMessage(ask && !m.ask ? { ...m, ask } : m, { where: el.hist, canConfirm: m === lastAssistant && s.status === 'bot' });
    }
    agent = s.status === 'handoff' && lastStaff ? lastStaff : null;
    applyStrings();
    // Queued messages the server already has: don't draw them twice; answered ones are done.
    for (const item of S.outbox.slice()) {
      let hit = -1;
      for (let i = msgs.length - 1; i >= 0 && hit < 0; i--) if (msgs[i].role === 'shopper' && msgs[i].text === item.text) hit = i;
      if (hit < 0) continue;
      const row = el.log.querySelector(`.row.shopper[data-key="c:${CSS.escape(item.client_id)}"]`);
      if (row) row.remove();
      if (msgs.slice(hit + 1).some((m) => m.role !== 'shopper')) dropOutbox(item.client_id);
    }
    if (S.outbox.length) clearQuick(); // the shopper already answered; the reply on its way brings its own
    const last = msgs[msgs.length - 1];
    if (last && last.csat_prompt && !S.csatDone) showCsat(false);
    scroll(true);
  }

  // ---------------------------------------------------------------- open / close, input
  function open() {
    if (S.open) { el.input.focus(); return; }
    S.open = true; save();
    el.panel.hidden = false;
    el.ps.classList.add('open');
    unread = 0;
    updateLauncher();
    connect();
    scroll(true);
    setTimeout(() => el.input.focus(), 0);
  }
  function close() {
    if (!S.open) return;
    S.open = false; save();
    el.panel.hidden = true;
    el.ps.classList.remove('open');
    updateLauncher();
    el.launcher.focus();
  }
  el.launcher.addEventListener('click', () => (S.open ? close() : open()));
  el.close.addEventListener('click', close);
  el.end.addEventListener('click', () => showCsat(true));
  el.panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); close(); } });
  el.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (send(el.input.value)) { el.input.value = ''; grow(); }
    el.input.focus();
  });
  el.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.dispatchEvent(new Event('submit', { cancelable: true }));
    }
  });
  function grow() { el.input.style.height = 'auto'; el.input.style.height = `${Math.min(120, el.input.scrollHeight + 2)}px`; }
  el.input.addEventListener('input', () => {
    grow();
    const now = Date.now();
    if (ws && ws.readyState === 1 && S.sid && now - lastTyping > 3000) {
      lastTyping = now;
      try { ws.send('{"type":"typing"}'); } catch (e) { /* ignore */ }
    }
  });

  // ---------------------------------------------------------------- boot
  function boot() {
    document.body.appendChild(host);
    applyStrings();
    el.end.hidden = !S.sid;
    busy();
    for (const item of S.outbox) addShopper(item.text, `c:${item.client_id}`, { pending: true });
    loadHistory().finally(() => { historyDone = true; if (S.outbox.length || S.open) connect(); });
    if (S.open) { S.open = false; open(); }
  }
  window.Portside = { version: '1', open, close, send: (text) => { open(); return send(text); }, toggle: () => (S.open ? close() : open()) };
  if (document.body) boot(); else document.addEventListener('DOMContentLoaded', boot);
})();
