/** zh-CN and English texts of publicity (keys under `bulletin`). */
const categoriesZh = { anti_fraud: '防诈骗', anti_bullying: '防欺凌', traffic: '交通安全', fire: '消防安全', drowning: '防溺水', food: '食品安全', law: '法治教育', health: '卫生健康', weather: '气象预警', other: '其他' }
const categoriesEn = { anti_fraud: 'Anti-fraud', anti_bullying: 'Anti-bullying', traffic: 'Traffic', fire: 'Fire', drowning: 'Drowning', food: 'Food', law: 'Law', health: 'Health', weather: 'Weather', other: 'Other' }

export const zh = {
  bulletin: {
    menu: '安全宣传', list: '宣传通知', lessons: '安全课记录', reports: '匿名举报', broadcasts: '校园广播', anonReport: '匿名举报',
    allCategories: '全部类别', publish: '发布通知', published: '已发布', none: '暂无通知', readRate: '阅读率', title: '标题',
    category: '类别', body: '正文', bodyPh: '支持段落文字或简单 HTML（会自动过滤不安全内容）', districts: '目标辖区', schoolTypes: '目标学校类型',
    roles: '目标角色', readDone: '已读', attachments: '附件', audience: '应读', reads: '已读人数',
    categories: categoriesZh,
    anonNotice: '匿名举报：无需登录，不记录您的身份、IP 或设备信息。请保存案件编号和查询码以便跟进。',
    reportTitle: '举报欺凌或安全问题', schoolCode: '学校代码', whatHappened: '发生了什么', submitReport: '提交举报',
    keepThese: '已受理，请保存以下信息（只显示一次）', caseNumber: '案件编号', followCode: '查询码', followUp: '查询进展', check: '查询',
    status: '状态', you: '我', addInfo: '补充信息…', send: '发送', school: '学校', reporter: '举报人（匿名）', allStatuses: '全部状态',
    reportCategories: { bullying: '校园欺凌', violence: '暴力伤害', harassment: '骚扰', safety_hazard: '安全隐患', self_harm: '自伤风险', fraud: '诈骗', other: '其他' },
    reportStatus: { received: '已受理', handling: '处理中', closed: '已办结' },
    newBroadcast: '新建广播', ttsText: '播报文字 (TTS)', recording: '录音', schools: '学校', when: '播放时间', now: '立即播放',
    sendBroadcast: '发送到广播', broadcastQueued: '广播已安排', source: '来源', deliveries: '各喇叭送达', listen: '试听',
    bcStatus: { scheduled: '待播', sending: '重试中', done: '已送达', partial: '部分送达', failed: '失败', cancelled: '已取消' },
    cancel: '取消', teacher: '授课人', classes: '班级', attendees: '人数', logLesson: '登记安全课',
  },
  eventTypes: { bulletin_published: '新通知', report_received: '匿名举报', broadcast_finished: '广播完成' },
}

export const en = {
  bulletin: {
    menu: 'Safety publicity', list: 'Bulletins', lessons: 'Safety lessons', reports: 'Anonymous reports', broadcasts: 'Broadcasts', anonReport: 'Report anonymously',
    allCategories: 'All categories', publish: 'Publish', published: 'Published', none: 'No bulletins', readRate: 'Read rate', title: 'Title',
    category: 'Category', body: 'Body', bodyPh: 'Paragraphs or simple HTML (unsafe markup is removed)', districts: 'Districts', schoolTypes: 'School types',
    roles: 'Roles', readDone: 'Read', attachments: 'Attachments', audience: 'Audience', reads: 'Read by',
    categories: categoriesEn,
    anonNotice: 'Anonymous: no login, and no identity, IP address or device data is kept. Keep the case number and code to follow up.',
    reportTitle: 'Report bullying or a safety problem', schoolCode: 'School code', whatHappened: 'What happened', submitReport: 'Submit',
    keepThese: 'Received. Keep these (shown once)', caseNumber: 'Case number', followCode: 'Follow-up code', followUp: 'Follow up', check: 'Check',
    status: 'Status', you: 'You', addInfo: 'Add information…', send: 'Send', school: 'School', reporter: 'Reporter (anonymous)', allStatuses: 'All statuses',
    reportCategories: { bullying: 'Bullying', violence: 'Violence', harassment: 'Harassment', safety_hazard: 'Safety hazard', self_harm: 'Self-harm risk', fraud: 'Fraud', other: 'Other' },
    reportStatus: { received: 'Received', handling: 'Handling', closed: 'Closed' },
    newBroadcast: 'New broadcast', ttsText: 'Text to speak (TTS)', recording: 'Recording', schools: 'Schools', when: 'When', now: 'Now',
    sendBroadcast: 'Send to speakers', broadcastQueued: 'Broadcast scheduled', source: 'Source', deliveries: 'Speakers', listen: 'Listen',
    bcStatus: { scheduled: 'Scheduled', sending: 'Retrying', done: 'Delivered', partial: 'Partial', failed: 'Failed', cancelled: 'Cancelled' },
    cancel: 'Cancel', teacher: 'Teacher', classes: 'Classes', attendees: 'Attendees', logLesson: 'Log lesson',
  },
  eventTypes: { bulletin_published: 'New bulletin', report_received: 'Anonymous report', broadcast_finished: 'Broadcast finished' },
}
