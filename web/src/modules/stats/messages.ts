/** zh-CN / en texts of the stats module. */
export const zh = {
  stats: {
    menu: '数据大屏', briefingsMenu: '安保周报', title: '数据在线应用', city: '全市', allDistricts: '全部区',
    schools: '{n} 所学校', noData: '无数据', trend: '趋势', gauges: '联网与在线', byType: '报警类型', byHour: '报警时段分布',
    byOutcome: '处置结果', byDistrict: '分区对比', map: '学校状态地图', mapLegend: '正常 / 关注 / 告警 / 无数据',
    alarms: '报警数', hazardsOverdue: '逾期隐患', cameraOnline: '摄像机在线率', falseRate: '误报率',
    records: '共 {n} 条记录（点击行查看详情）', time: '时间', school: '学校', district: '区', record: '记录', ref: '引用',
    reportName: '校园安保数据报表', briefings: '区安保周报', briefingsHint: '每周一自动生成上周各区简报（PDF / Excel）',
    noBriefings: '暂无周报：每周一自动生成', week: '周', generated: '生成时间',
    period: { thisMonth: '本月', lastMonth: '上月', d7: '近7天', d30: '近30天', quarter: '本季度', year: '本年' },
    groups: { network: '联网在线', alarm: '快速反应', drill: '应急演练', hazard: '隐患排查', patrol: '勤务登记', face: '预警防范', bulletin: '法制宣传', video: '视频研判' },
    status: { green: '正常', amber: '关注', red: '告警', no_data: '无数据', undefined: '' },
    alarmTypes: { panic: '一键报警', duress: '胁迫报警', intrusion: '周界入侵', fire: '火警', medical: '医疗求助', tamper: '防拆报警', watchlist_hit: '人脸预警', device_offline: '设备离线', unknown: '其他' },
    outcomes: { real: '真实警情', false_alarm: '误报', drill: '演练', test: '测试', unknown: '未标注' },
  },
}

export const en = {
  stats: {
    menu: 'Dashboard', briefingsMenu: 'Weekly briefings', title: 'Online data', city: 'Whole city', allDistricts: 'All districts',
    schools: '{n} schools', noData: 'no data', trend: 'Trend', gauges: 'Networking & online', byType: 'Alarms by type',
    byHour: 'Alarms by hour', byOutcome: 'Outcomes', byDistrict: 'Districts', map: 'School status map',
    mapLegend: 'ok / watch / alert / no data', alarms: 'Alarms', hazardsOverdue: 'Overdue hazards', cameraOnline: 'Camera online',
    falseRate: 'False alarms', records: '{n} records (click a row for details)', time: 'Time', school: 'School',
    district: 'District', record: 'Record', ref: 'Reference', reportName: 'campus-security-report',
    briefings: 'District weekly briefings', briefingsHint: 'Generated every Monday for the previous week (PDF / Excel)',
    noBriefings: 'No briefing yet: generated every Monday', week: 'Week', generated: 'Generated',
    period: { thisMonth: 'This month', lastMonth: 'Last month', d7: 'Last 7 days', d30: 'Last 30 days', quarter: 'This quarter', year: 'This year' },
    groups: { network: 'Networking', alarm: 'Rapid response', drill: 'Drills', hazard: 'Hazards', patrol: 'Duty', face: 'Early warning', bulletin: 'Publicity', video: 'Video' },
    status: { green: 'OK', amber: 'Watch', red: 'Alert', no_data: 'No data', undefined: '' },
    alarmTypes: { panic: 'Panic button', duress: 'Duress', intrusion: 'Intrusion', fire: 'Fire', medical: 'Medical', tamper: 'Tamper', watchlist_hit: 'Face hit', device_offline: 'Device offline', unknown: 'Other' },
    outcomes: { real: 'Real', false_alarm: 'False alarm', drill: 'Drill', test: 'Test', unknown: 'Unset' },
  },
}
